using System.Buffers.Text;
using System.Text.Json;
using ItemPathOrleans.Contracts.Tokens;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>The parts of a valid <c>private_key_jwt</c> assertion that outlive its check: its id and expiry.</summary>
public readonly record struct AcceptedAssertion(string Jti, long ExpiresAt);

/// <summary>
/// <c>private_key_jwt</c> (RFC 7523 §3, RFC 7521 §5.2): a JWS signed with a key of the client's
/// <c>jwks</c> (its algorithm pinned to the key's type), <c>iss</c> = <c>sub</c> = the client id,
/// <c>aud</c> the tenant's issuer or its token endpoint, <c>exp</c> at most five minutes ahead
/// (30 s skew), a <c>jti</c>. That the <c>jti</c> is used once is the caller's to keep
/// (<see cref="ExpiringIdSet"/>). Only the checks here decide: header members that point
/// elsewhere for a key (<c>jku</c>, <c>jwk</c>, <c>x5u</c>) are never followed (RFC 8725 §3.10).
/// </summary>
public static class ClientAssertions
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);
    public const int MaxLength = 8 * 1024;
    public const int MaxJtiLength = 256;

    /// <summary>The assertion's id and expiry when it is valid for this client now, else null.</summary>
    public static AcceptedAssertion? Validate(string? assertion, string clientId, ClientJwks keys, IReadOnlyCollection<string> audiences, DateTimeOffset now)
    {
        if (assertion is null || assertion.Length > MaxLength) return null;
        var parts = assertion.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var signature = Base64Url.DecodeFromChars(parts[2]);
            var h = header.RootElement;
            var p = payload.RootElement;
            if (h.ValueKind != JsonValueKind.Object || p.ValueKind != JsonValueKind.Object) return null;
            // Extensions the verifier must understand (crit) are none that this one does.
            if (h.TryGetProperty("crit", out _)) return null;
            if (Text(h, "alg") is not { } alg) return null;
            if (h.TryGetProperty("typ", out var typ) && (typ.ValueKind != JsonValueKind.String
                || !(typ.GetString()!.Equals("JWT", StringComparison.OrdinalIgnoreCase) || typ.GetString()!.Equals("client-authentication+jwt", StringComparison.OrdinalIgnoreCase))))
                return null;
            var kid = h.TryGetProperty("kid", out var k) ? k.ValueKind == JsonValueKind.String ? k.GetString() : null : null;
            if (h.TryGetProperty("kid", out _) && kid is null) return null;

            var signingInput = System.Text.Encoding.ASCII.GetBytes(assertion, 0, parts[0].Length + 1 + parts[1].Length);
            if (!keys.Verify(alg, kid, signingInput, signature)) return null;

            if (Text(p, "iss") != clientId || Text(p, "sub") != clientId) return null;
            if (!HasAudience(p, audiences)) return null;
            var skew = (long)TokenClaims.ClockSkew.TotalSeconds;
            var nowSeconds = now.ToUnixTimeSeconds();
            if (Number(p, "exp") is not { } exp || exp < nowSeconds - skew || exp > nowSeconds + (long)MaxLifetime.TotalSeconds + skew) return null;
            if (p.TryGetProperty("nbf", out _) && (Number(p, "nbf") is not { } nbf || nbf > nowSeconds + skew)) return null;
            if (p.TryGetProperty("iat", out _) && (Number(p, "iat") is not { } iat || iat > nowSeconds + skew)) return null;
            if (Text(p, "jti") is not { Length: > 0 and <= MaxJtiLength } jti) return null;
            return new AcceptedAssertion(jti, exp);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static bool HasAudience(JsonElement payload, IReadOnlyCollection<string> audiences)
    {
        if (!payload.TryGetProperty("aud", out var aud)) return false;
        if (aud.ValueKind == JsonValueKind.String) return audiences.Contains(aud.GetString());
        if (aud.ValueKind != JsonValueKind.Array) return false;
        foreach (var one in aud.EnumerateArray())
        {
            if (one.ValueKind == JsonValueKind.String && audiences.Contains(one.GetString())) return true;
        }
        return false;
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
