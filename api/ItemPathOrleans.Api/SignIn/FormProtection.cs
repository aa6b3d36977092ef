using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.SignIn;

/// <summary>
/// CSRF protection for the pages' forms that any API node can check without shared state: the
/// browser holds a random 256-bit value in the <c>itempath_csrf</c> cookie, and a form carries
/// <c>base64url(HMAC-SHA256(key, purpose + "|" + cookie))</c> in its <c>csrf</c> field, where the
/// key is HKDF-SHA256 of the current master key (info <c>itempath-csrf</c>). A cross-site page can
/// neither read the cookie nor compute the token. Any configured master key verifies, so a token
/// survives the addition of a new master key; removing a master key ends its tokens.
/// </summary>
/// <remarks>
/// The purpose names what the form does and for whom (<c>login|acme</c>, <c>consent|acme</c>), so
/// a token taken from one form is refused by another. Not ASP.NET antiforgery: its tokens are
/// protected with Data Protection keys, which every API node would have to share.
/// </remarks>
public sealed class FormProtection
{
    public const string CookieName = "itempath_csrf";
    public const string FieldName = "csrf";

    private const int CookieBytes = 32;
    private static readonly byte[] KeyInfo = "itempath-csrf"u8.ToArray();
    // The value this request's Issue set, when the browser sent none: a second Issue reuses it.
    private static readonly object IssuedKey = new();

    private readonly byte[] _currentKey;
    private readonly IReadOnlyList<byte[]> _keys;

    public FormProtection(IOptions<TokensOptions> options)
    {
        var tokens = options.Value;
        _currentKey = KeyOf(tokens.CurrentMasterKey);
        _keys = tokens.MasterKeys.Select(KeyOf).ToList();
    }

    /// <summary>The token of a form for <paramref name="purpose"/>; sets the cookie first when the browser has none.</summary>
    public string Issue(HttpContext context, string purpose)
    {
        var cookie = CookieOf(context);
        if (cookie is null)
        {
            cookie = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(CookieBytes));
            context.Items[IssuedKey] = cookie;
            context.Response.Cookies.Append(CookieName, cookie, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Path = "/",
                Secure = !IsLoopbackHttp(context.Request),
                IsEssential = true,
            });
        }
        return Base64Url.EncodeToString(Mac(_currentKey, purpose, cookie));
    }

    /// <summary>
    /// Whether <paramref name="token"/> is the token of <paramref name="purpose"/> for this
    /// browser's cookie under any configured master key. False without a cookie or a token.
    /// </summary>
    public bool Verify(HttpContext context, string purpose, string? token)
    {
        var cookie = ReadCookie(context);
        if (cookie is null || string.IsNullOrEmpty(token)) return false;
        var presented = Decode(token, HMACSHA256.HashSizeInBytes);
        if (presented is null) return false;

        var match = false;
        // Every key, always: the time taken does not say which one matched.
        foreach (var key in _keys)
            match |= CryptographicOperations.FixedTimeEquals(Mac(key, purpose, cookie), presented);
        return match;
    }

    private static byte[] Mac(byte[] key, string purpose, string cookie) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(purpose + "|" + cookie));

    private static byte[] KeyOf(MasterKey master) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256,
            master.SecretBytes() ?? throw new InvalidOperationException($"Tokens:MasterKeys '{master.Id}' is not base64."),
            32, salt: [], info: KeyInfo);

    private static string? CookieOf(HttpContext context) =>
        context.Items.TryGetValue(IssuedKey, out var issued) && issued is string value ? value : ReadCookie(context);

    /// <summary>The cookie when it has the shape Issue gives it; anything else counts as no cookie.</summary>
    private static string? ReadCookie(HttpContext context)
    {
        var value = context.Request.Cookies[CookieName];
        return value is not null && Decode(value, CookieBytes) is not null ? value : null;
    }

    /// <summary>The bytes of a base64url value of exactly <paramref name="length"/> bytes; null for anything else.</summary>
    private static byte[]? Decode(string value, int length)
    {
        // IsValid first: decoding throws on a character outside the alphabet.
        if (value.Length != Base64Url.GetEncodedLength(length) || !Base64Url.IsValid(value, out var decodedLength) || decodedLength != length) return null;
        var bytes = new byte[length];
        return Base64Url.TryDecodeFromChars(value, bytes, out var written) && written == length ? bytes : null;
    }

    /// <summary>Plain HTTP to a loopback host (a developer's machine): the one case the cookie may go without TLS.</summary>
    private static bool IsLoopbackHttp(HttpRequest request)
    {
        if (request.IsHttps) return false;
        var host = request.Host.Host;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
