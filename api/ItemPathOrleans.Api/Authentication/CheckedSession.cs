using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// The revocation check that accepted this request's token (from the revocation cache or the user
/// grain), kept as a request feature so an endpoint can answer from it (the profile of
/// <c>GET /api/users/me</c>) instead of asking the user grain again. Absent when no check ran (the
/// revocation check is off, or the endpoint makes its own grain call).
/// </summary>
public sealed class CheckedSession(SessionCheck check)
{
    public SessionCheck Check { get; } = check;

    /// <summary>The user's profile as the check saw it, or null when no check ran on this request.</summary>
    public static UserProfile? ProfileOf(HttpContext context) => context.Features.Get<CheckedSession>()?.Check.Profile;
}
