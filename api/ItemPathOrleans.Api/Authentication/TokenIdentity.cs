using System.Globalization;
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
    /// <summary>
    /// Of a principal that passed the access policy. One pass over its claims, each value the first
    /// of its type as <see cref="ClaimsPrincipal.FindFirstValue"/> would give it (types compared
    /// ordinally, as the token handler's identity compares them): this runs on every request that
    /// names its bearer, proxied ones included.
    /// </summary>
    public static TokenIdentity From(ClaimsPrincipal user)
    {
        string? tenant = null, userId = null, sessionId = null, jti = null, username = null, tokenName = null, sessionKind = null;
        var isAdmin = false;
        foreach (var identity in user.Identities)
        {
            foreach (var claim in identity.Claims)
            {
                switch (claim.Type)
                {
                    case TokenClaims.Tenant: tenant ??= claim.Value; break;
                    case TokenClaims.UserId: userId ??= claim.Value; break;
                    case TokenClaims.SessionId: sessionId ??= claim.Value; break;
                    case TokenClaims.Id: jti ??= claim.Value; break;
                    case TokenSchemes.UsernameClaim: username ??= claim.Value; break;
                    case TokenClaims.Identity: tokenName ??= claim.Value; break;
                    case TokenSchemes.SessionKindClaim: sessionKind ??= claim.Value; break;
                    case TokenSchemes.AdminClaim: isAdmin |= claim.Value == "true"; break;
                }
            }
        }
        return new(tenant!, int.Parse(userId!, CultureInfo.InvariantCulture), sessionId!, jti!, username ?? tokenName!, isAdmin, sessionKind);
    }
}
