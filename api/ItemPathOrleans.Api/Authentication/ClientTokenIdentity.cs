using System.Globalization;
using System.Security.Claims;
using ItemPathOrleans.Contracts.Tokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>What a validated client token says about its bearer: the tenant, the client, its scopes.</summary>
public readonly record struct ClientTokenIdentity(string Tenant, string ClientId, string Jti, IReadOnlyList<string> Scopes, long ExpiresAt)
{
    public static bool IsClient(ClaimsPrincipal user) => user.HasClaim(TokenSchemes.TokenKindClaim, TokenSchemes.ClientKind);

    public static ClientTokenIdentity From(ClaimsPrincipal user) => new(
        user.FindFirstValue(TokenClaims.Tenant)!,
        user.FindFirstValue(TokenClaims.ClientId)!,
        user.FindFirstValue(TokenClaims.Id)!,
        (user.FindFirstValue(TokenClaims.Scope) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        long.Parse(user.FindFirstValue(TokenClaims.Expires)!, CultureInfo.InvariantCulture));
}
