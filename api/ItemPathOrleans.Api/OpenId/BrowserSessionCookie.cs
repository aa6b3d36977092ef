using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// The browser session cookie of a tenant: <c>{user id}.{session id}.{secret}</c>, a reference to
/// a <c>web</c> session of the user's grain, never an identity on its own. The secret is the
/// session's refresh token id, which nothing else shows (the session lists do not), so a cookie
/// cannot be made from a session id; the grain decides on each use whether the session still
/// stands (sign-out, an admin's revocation, a password change, a deactivation end it).
/// HttpOnly, SameSite=Lax, Secure except on plain HTTP to a loopback address.
/// </summary>
public static class BrowserSessionCookie
{
    public static string Name(string tenant) => "itempath_session." + tenant;

    /// <summary>What a cookie names, before the grain is asked; null for anything malformed.</summary>
    public static (int UserId, string SessionId, string Secret)? Read(HttpRequest request, string tenant)
    {
        if (request.Cookies[Name(tenant)] is not { Length: > 0 and <= 256 } value) return null;
        var parts = value.Split('.');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
            || parts[1].Length is 0 or > 64 || parts[2].Length is 0 or > 64) return null;
        return (userId, parts[1], parts[2]);
    }

    /// <summary>Whether the session the grain describes is the one the cookie names: a live browser session whose secret matches.</summary>
    public static bool Matches(SessionCheck check, string secret) =>
        check is { UserActive: true, SessionActive: true, Kind: SessionKinds.Web, CurrentRefreshJti: { } current }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(current), Encoding.ASCII.GetBytes(secret));

    /// <summary>
    /// Sets the cookie for the browser session a sign-in just opened. The login's refresh token is
    /// this service's own answer: its claims are read, not validated, and the token goes no further.
    /// </summary>
    public static BrowserSession Write(HttpContext context, string tenant, LoginResult login)
    {
        var token = new JsonWebToken(login.Refresh!.Token);
        var userId = int.Parse(token.GetClaim(TokenClaims.UserId).Value, CultureInfo.InvariantCulture);
        var sessionId = token.GetClaim(TokenClaims.SessionId).Value;
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(token.GetPayloadValue<long>(TokenClaims.IssuedAt));
        context.Response.Cookies.Append(Name(tenant), $"{userId}.{sessionId}.{token.Id}", Options(context, login.Refresh.ExpiresAt));
        return new BrowserSession(userId, sessionId, issuedAt);
    }

    public static void Delete(HttpContext context, string tenant) =>
        context.Response.Cookies.Delete(Name(tenant), Options(context, null));

    private static CookieOptions Options(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = !IsLoopbackHttp(context.Request),
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>Plain HTTP to a loopback address (development): the one case a cookie goes without Secure.</summary>
    public static bool IsLoopbackHttp(HttpRequest request) =>
        !request.IsHttps && (request.Host.Host == "localhost" || (IPAddress.TryParse(request.Host.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
