using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sso;

/// <summary>What a single sign-on came to: a login, or why not (<see cref="SsoRefusal"/>) with the text the client is shown.</summary>
public sealed record SsoLoginOutcome(LoginResult? Login, SsoRefusal Refusal, string? Detail = null, TimeSpan RetryAfter = default)
{
    public static SsoLoginOutcome Refused(SsoRefusal refusal, string detail, TimeSpan retryAfter = default) => new(null, refusal, detail, retryAfter);
}
