namespace ItemPathOrleans.Contracts.Model;

/// <summary>Why a token operation was refused. The API maps each to a status and message.</summary>
public enum TokenError
{
    None,
    BadCredentials,
    SessionRevoked,
    SessionExpired,
    UserInactive,
    NotApplicationUser,
    TooManyApplicationTokens,
    /// <summary>Too many failed logins: the caller waits <c>RetryAfterSeconds</c>.</summary>
    LockedOut,
    /// <summary>
    /// Inside the cluster only: the user grain does not know the login's permit (its activation
    /// moved between the two halves of the login); the authentication grain starts again once.
    /// </summary>
    PermitLost,
    /// <summary>A refresh token issued to one OAuth client, presented without it (by another client or none).</summary>
    WrongClient,
    /// <summary>The browser session a code was issued under has ended (signed out, revoked).</summary>
    BrowserSessionEnded,
}

[GenerateSerializer, Immutable]
public sealed record IssuedToken(
    [property: Id(0)] string Token,
    [property: Id(1)] DateTimeOffset? ExpiresAt)
{
    // Orleans logs messages with their ToString at Trace level: never the token.
    public override string ToString() => $"IssuedToken {{ Token = [redacted], ExpiresAt = {ExpiresAt:O} }}";
}

[GenerateSerializer, Immutable]
public sealed record LoginResult(
    [property: Id(0)] TokenError Error,
    [property: Id(1)] IssuedToken? Access,
    [property: Id(2)] IssuedToken? Refresh,
    [property: Id(3)] UserProfile? User,
    [property: Id(4)] int RetryAfterSeconds = 0)
{
    public static LoginResult Fail(TokenError error) => new(error, null, null, null);

    public static LoginResult Locked(TimeSpan retryAfter) =>
        new(TokenError.LockedOut, null, null, null, Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)));
}

[GenerateSerializer, Immutable]
public sealed record RefreshResult(
    [property: Id(0)] TokenError Error,
    [property: Id(1)] IssuedToken? Access,
    [property: Id(2)] IssuedToken? Refresh)
{
    public static RefreshResult Fail(TokenError error) => new(error, null, null);
}

[GenerateSerializer, Immutable]
public sealed record ApplicationTokenResult(
    [property: Id(0)] TokenError Error,
    [property: Id(1)] string? Token,
    [property: Id(2)] string? Id,
    [property: Id(3)] string? Name)
{
    public static ApplicationTokenResult Fail(TokenError error) => new(error, null, null, null);

    public override string ToString() => $"ApplicationTokenResult {{ Error = {Error}, Token = [redacted], Id = {Id}, Name = {Name} }}";
}

/// <summary>
/// Session kinds: a password login, a single sign-on, an application token, a browser session of
/// the sign-in page, or a client's session opened by the authorization code flow.
/// </summary>
public static class SessionKinds
{
    public const string Login = "login";
    public const string Sso = "sso";
    public const string Application = "application";
    /// <summary>A browser session of the hosted sign-in page: its cookie names it; it never hands out a token.</summary>
    public const string Web = "web";
    /// <summary>The tokens a registered client got through the authorization code flow.</summary>
    public const string OpenId = "oidc";
}

/// <summary>
/// The revocation check's answer for one (user, session): what the API caches for
/// <c>revocationLatencySeconds</c> so a hot client costs one grain call per interval.
/// <see cref="Username"/> is the user's name now, not the one a token was issued under: after a
/// rename, another user may hold the old one. <see cref="Profile"/> is the user's profile at the
/// check, so <c>GET /api/users/me</c> answers from the cached check without another grain call
/// (a change shows within the same interval, at once on the node that served it).
/// <see cref="ExpiresAt"/> is when the session ends by itself (null: never, or no session), so an
/// answer kept past the interval (see <c>IUserChangesGrain</c>) is not kept past it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SessionCheck(
    [property: Id(0)] bool UserActive,
    [property: Id(1)] bool SessionActive,
    [property: Id(2)] string? Kind,
    [property: Id(3)] bool IsAdmin,
    [property: Id(4)] string? CurrentRefreshJti,
    [property: Id(5)] string? ClientId = null,
    [property: Id(6)] string? Username = null,
    [property: Id(7)] DateTimeOffset? CreatedAt = null,
    [property: Id(8)] string? Scope = null,
    [property: Id(9)] UserProfile? Profile = null,
    [property: Id(10)] DateTimeOffset? ExpiresAt = null)
{
    public static SessionCheck Unknown { get; } = new(false, false, null, false, null);
}
