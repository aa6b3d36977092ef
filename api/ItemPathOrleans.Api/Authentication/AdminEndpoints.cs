using ItemPathOrleans.Api.ProblemAnswers;

namespace ItemPathOrleans.Api.Authentication;

public static class AdminEndpoints
{
    /// <summary>
    /// A group of endpoints for the admins of the request's tenant: an access token of an admin,
    /// so every answer can also be 401 (no or a bad token) and 403 (not an admin allowed here).
    /// </summary>
    public static RouteGroupBuilder MapAdminGroup(this IEndpointRouteBuilder app, string prefix, string tag) =>
        app.MapGroup(prefix).RequireAuthorization(TokenSchemes.AccessPolicy, TokenSchemes.AdminPolicy)
            .WithTags(tag)
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
}
