using System.Globalization;
using ItemPathOrleans.Api.Endpoints;
using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>A user's sessions as <c>{"sessions": [...], "total": N}</c>.</summary>
public static class SessionsJson
{
    public static async Task<IResult> PageAsync(HttpContext context, IUserGrain user)
    {
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        var sessions = await user.ListSessions();
        return TypedResults.Ok(new SessionListJson(paging.Apply(sessions).Select(ApiJson.Session).ToList(), sessions.Count));
    }
}
