using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>A user's sessions as <c>{"sessions": [...], "total": N}</c>, one page of them.</summary>
public sealed record SessionListJson(IReadOnlyList<SessionJson> Sessions, int Total)
{
    public static SessionListJson Page(IReadOnlyList<SessionInfo> sessions, Paging paging) =>
        new(paging.Apply(sessions).Select(SessionJson.From).ToList(), sessions.Count);
}
