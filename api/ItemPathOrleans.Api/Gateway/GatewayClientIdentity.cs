using System.Security.Claims;
using ItemPathOrleans.Api.Authentication;

namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// A registered client's token as the gateway hands it on (<c>client_credentials</c>): the body of
/// <c>GET /api/auth/verify</c> and the headers <c>X-Auth-Tenant</c>, <c>X-Auth-Client-Id</c>,
/// <c>X-Auth-Scopes</c> (space-separated) and <c>X-Auth-Type: client</c>.
/// </summary>
public sealed record GatewayClientIdentity(string Tenant, string ClientId, IReadOnlyList<string> Scopes, string Type)
{
    public static GatewayClientIdentity From(ClaimsPrincipal user)
    {
        var token = ClientTokenIdentity.From(user);
        return new GatewayClientIdentity(token.Tenant, token.ClientId, token.Scopes, GatewayIdentity.ClientType);
    }

    /// <summary>Values in visible ASCII: client ids and scope names allow nothing else.</summary>
    public IEnumerable<KeyValuePair<string, string>> Headers()
    {
        yield return new(GatewayIdentity.TenantHeader, Tenant);
        yield return new(GatewayIdentity.ClientIdHeader, ClientId);
        yield return new(GatewayIdentity.ScopesHeader, string.Join(' ', Scopes));
        yield return new(GatewayIdentity.TypeHeader, Type);
    }
}
