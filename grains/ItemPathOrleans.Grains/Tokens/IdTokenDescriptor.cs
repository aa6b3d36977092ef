using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Tokens;

/// <summary>
/// What goes into one OpenID Connect ID token; the minter adds the tenant's issuer and the RSA
/// companion of its current key version. <paramref name="AuthTime"/> is when the user last
/// entered a password in the browser session <paramref name="Sid"/>; <paramref name="AccessToken"/>,
/// when given, is the access token issued beside it (for <c>at_hash</c>).
/// </summary>
public readonly record struct IdTokenDescriptor(
    string ClientId,
    UserProfile Profile,
    IReadOnlyCollection<string> Scopes,
    long IssuedAt,
    long ExpiresAt,
    long AuthTime,
    string? Nonce,
    string Sid,
    string? AccessToken);
