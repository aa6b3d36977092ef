namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The session a redeemed code opens in the user's grain: kind <c>oidc</c>, bound to the client,
/// with the id the code grain chose (and stored) before asking, so a replay can revoke it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientSessionRequest(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string BrowserSessionId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] string Scope,
    [property: Id(4)] string? Nonce,
    [property: Id(5)] DateTimeOffset AuthTime,
    [property: Id(6)] bool AlwaysRotate,
    [property: Id(7)] bool IssueRefreshToken);
