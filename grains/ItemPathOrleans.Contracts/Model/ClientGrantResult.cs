namespace ItemPathOrleans.Contracts.Model;

/// <summary>Why a client's request was refused: the RFC 6749 §5.2 error it is answered with.</summary>
public enum ClientGrantError
{
    None,
    /// <summary><c>invalid_client</c>: unknown, disabled, or its authentication failed.</summary>
    InvalidClient,
    /// <summary><c>unauthorized_client</c>: the grant is not among its grant types.</summary>
    UnauthorizedClient,
    /// <summary><c>invalid_scope</c>: a scope it may not have.</summary>
    InvalidScope,
    /// <summary>Past its <c>rateLimitPerMinute</c>: 429 <c>temporarily_unavailable</c> with Retry-After.</summary>
    RateLimited,
    /// <summary>
    /// A bare <c>client_id</c> (method <c>none</c>) that names no registered client: the caller is
    /// a first-party client of the password and refresh grants, which may send any client id.
    /// </summary>
    NotRegistered,
}

/// <summary>
/// A client's authentication for one request: who it is, the scopes granted (space-separated),
/// and for <c>client_credentials</c> the access token.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientGrantResult(
    [property: Id(0)] ClientGrantError Error,
    [property: Id(1)] string? ClientId = null,
    [property: Id(2)] string? Scope = null,
    [property: Id(3)] IssuedToken? Access = null,
    [property: Id(4)] int RetryAfterSeconds = 0,
    [property: Id(5)] string? Description = null)
{
    public static ClientGrantResult Fail(ClientGrantError error, string? description = null) => new(error, Description: description);
}
