namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The tokens of a redeemed code (or the refusal): an access token, a refresh token when
/// <c>offline_access</c> was granted to a client that may refresh, an ID token with <c>openid</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientSessionResult(
    [property: Id(0)] CodeError Error,
    [property: Id(1)] IssuedToken? Access = null,
    [property: Id(2)] IssuedToken? Refresh = null,
    [property: Id(3)] IssuedToken? IdToken = null,
    [property: Id(4)] string? Scope = null)
{
    public static ClientSessionResult Fail(CodeError error) => new(error);
}
