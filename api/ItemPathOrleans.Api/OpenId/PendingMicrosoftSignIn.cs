using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sso;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// A "Sign in with Microsoft" on its way through Entra: the <c>state</c>, PKCE verifier and nonce
/// sent, when it stops being valid, and the authorization request it continues. It lives in the
/// browser only, in the cookie <c>itempath_entra.{tenant}</c> sealed under the master key for that
/// tenant (<see cref="MasterKeySeal"/>), so no API node holds anything and any node can take the
/// callback. The cookie is HttpOnly, SameSite=Lax (Entra comes back with a top-level GET), sent
/// only to the callback's path, and deleted when the callback takes it: a state is used once, and
/// only by the browser that started the sign-in.
/// </summary>
public sealed record PendingMicrosoftSignIn(string State, string Verifier, string Nonce, long ExpiresAt, Dictionary<string, string> Parameters)
{
    /// <summary>How long a sign-in may take at Entra (multi-factor authentication included).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>The longest cookie value written: a browser keeps a cookie of at most 4,096 bytes, name and attributes included.</summary>
    public const int MaxCookieLength = 3_800;

    private const string Purpose = "entra-signin";

    public static string CookieName(string tenant) => "itempath_entra." + tenant;

    /// <summary>The callback's path, the only one the cookie is sent to.</summary>
    public static string CookiePath(HttpContext context, string tenant) => OpenIdPages.Path(context, tenant, "login/microsoft");

    /// <summary>Sets the cookie; false (and no cookie) when the sealed value would be too long for a browser to keep.</summary>
    public bool TryWrite(HttpContext context, string tenant, MasterKeySeal seal)
    {
        var value = seal.Seal(Purpose, tenant, JsonSerializer.SerializeToUtf8Bytes(this));
        if (value.Length > MaxCookieLength) return false;
        context.Response.Cookies.Append(CookieName(tenant), value, Options(context, tenant, DateTimeOffset.FromUnixTimeSeconds(ExpiresAt)));
        return true;
    }

    /// <summary>
    /// The pending sign-in whose state <paramref name="state"/> is, taken from this browser's cookie
    /// (which is deleted whatever the outcome); null when there is none, it expired, it was not
    /// sealed here for this tenant, or the state differs.
    /// </summary>
    public static PendingMicrosoftSignIn? Take(HttpContext context, string tenant, string? state, MasterKeySeal seal, DateTimeOffset now)
    {
        var cookie = context.Request.Cookies[CookieName(tenant)];
        if (cookie is null) return null;
        context.Response.Cookies.Delete(CookieName(tenant), Options(context, tenant, null));
        if (state is null || seal.Open(Purpose, tenant, cookie, MaxCookieLength) is not { } json) return null;
        PendingMicrosoftSignIn? pending;
        try
        {
            pending = JsonSerializer.Deserialize<PendingMicrosoftSignIn>(json);
        }
        catch (JsonException)
        {
            return null;
        }
        if (pending?.Parameters is null || now.ToUnixTimeSeconds() >= pending.ExpiresAt) return null;
        // Compared as SHA-256 digests: neither the content nor the length shows in the timing.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(state)), SHA256.HashData(Encoding.UTF8.GetBytes(pending.State)))
            ? pending
            : null;
    }

    /// <summary>The authorization request the sign-in continues (checked again by the caller, as at every step).</summary>
    public AuthorizationRequest? Request() =>
        AuthorizationRequest.Read(FormFields.Parse(QueryString.Create(Parameters!).Value?.TrimStart('?') ?? "")).Request;

    private static CookieOptions Options(HttpContext context, string tenant, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = !BrowserSessionCookie.IsLoopbackHttp(context.Request),
        Path = CookiePath(context, tenant),
        Expires = expires,
        IsEssential = true,
    };

    // The verifier and nonce are secrets of this sign-in.
    public override string ToString() => "PendingMicrosoftSignIn { [redacted] }";
}
