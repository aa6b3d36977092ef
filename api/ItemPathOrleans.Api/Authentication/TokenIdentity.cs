using System.Security.Claims;
using ItemPathOrleans.Contracts.Tokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// What a validated token says about its bearer. <see cref="Username"/> is the current name from
/// the revocation check; only with the check turned off (<c>Revocation:Enabled=false</c>, for
/// measurements) is it the token's <c>identity</c>.
/// </summary>
public readonly record struct TokenIdentity(string Tenant, int UserId, string SessionId, string Jti, string Username, bool IsAdmin, string? SessionKind)
{
    public static TokenIdentity From(ClaimsPrincipal user) => new(
        user.FindFirstValue(TokenClaims.Tenant)!,
        int.Parse(user.FindFirstValue(TokenClaims.UserId)!, System.Globalization.CultureInfo.InvariantCulture),
        user.FindFirstValue(TokenClaims.SessionId)!,
        user.FindFirstValue(TokenClaims.Id)!,
        user.FindFirstValue(TokenSchemes.UsernameClaim) ?? user.FindFirstValue(TokenClaims.Identity)!,
        user.HasClaim(TokenSchemes.AdminClaim, "true"),
        user.FindFirstValue(TokenSchemes.SessionKindClaim));
}
