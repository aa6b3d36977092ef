using System.Globalization;
using System.Security.Claims;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// Who a validated token speaks for, as the gateway hands it on: the body of
/// <c>GET /api/auth/verify</c> and the <c>X-Auth-*</c> headers (of that answer, and of every
/// request proxied upstream). <see cref="Type"/> is <c>access</c> for an access token of a login
/// or SSO session and <c>application</c> for an application token.
/// </summary>
public sealed record GatewayIdentity(string Tenant, int UserId, string Username, string Type, bool IsAdmin, string SessionId)
{
    public const string TenantHeader = "X-Auth-Tenant";
    public const string UserIdHeader = "X-Auth-User-Id";
    public const string UsernameHeader = "X-Auth-Username";
    public const string TypeHeader = "X-Auth-Type";
    public const string IsAdminHeader = "X-Auth-Is-Admin";
    public const string SessionIdHeader = "X-Auth-Session-Id";

    public const string AccessType = "access";
    public const string ApplicationType = "application";

    public const string ClientIdHeader = "X-Auth-Client-Id";
    public const string ScopesHeader = "X-Auth-Scopes";
    public const string ClientType = "client";

    /// <summary>The headers that name the bearer of a validated token, a user's or a registered client's.</summary>
    public static IEnumerable<KeyValuePair<string, string>> HeadersOf(ClaimsPrincipal user) =>
        ClientTokenIdentity.IsClient(user) ? GatewayClientIdentity.From(user).Headers() : From(user).Headers();

    /// <summary>Of a principal that passed the access policy (the revocation check included).</summary>
    public static GatewayIdentity From(ClaimsPrincipal user)
    {
        var token = TokenIdentity.From(user);
        var type = token.SessionKind == SessionKinds.Application ? ApplicationType : AccessType;
        return new GatewayIdentity(token.Tenant, token.UserId, token.Username, type, token.IsAdmin, token.SessionId);
    }

    /// <summary>
    /// The headers, values in visible ASCII: the username is percent-encoded UTF-8 (RFC 3986),
    /// since a header cannot carry every character a username may hold.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> Headers()
    {
        yield return new(TenantHeader, Tenant);
        yield return new(UserIdHeader, UserId.ToString(CultureInfo.InvariantCulture));
        yield return new(UsernameHeader, Uri.EscapeDataString(Username));
        yield return new(TypeHeader, Type);
        yield return new(IsAdminHeader, IsAdmin ? "true" : "false");
        yield return new(SessionIdHeader, SessionId);
    }
}
