namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// What an authorization code stands for (OpenID Connect Core §3.1.2.5): who signed in, in which
/// browser session and when, and the request it answers (client, redirect URI, PKCE challenge,
/// nonce, scopes). Valid until <see cref="ExpiresAt"/> (60 s).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CodeGrant(
    [property: Id(0)] int UserId,
    [property: Id(1)] string BrowserSessionId,
    [property: Id(2)] DateTimeOffset AuthTime,
    [property: Id(3)] string ClientId,
    [property: Id(4)] string RedirectUri,
    [property: Id(5)] string CodeChallenge,
    [property: Id(6)] string? Nonce,
    [property: Id(7)] string Scope,
    [property: Id(8)] bool PublicClient,
    [property: Id(9)] bool IssueRefreshToken,
    [property: Id(10)] DateTimeOffset ExpiresAt);
