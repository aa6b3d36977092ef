using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// A client's public keys for <c>private_key_jwt</c> (a JWK Set, RFC 7517): RSA keys of 2048 to
/// 4096 bits (RS256, PS256) and P-256 keys (ES256). Private key material is refused, and so is
/// every other key type. <see cref="Json"/> is the set as stored, public members only.
/// A signature is checked only with an algorithm its key's type allows (RFC 8725 §3.1): the
/// key's own <c>alg</c> when it names one, RS256 or PS256 for an RSA key, ES256 for an EC key.
/// </summary>
public sealed class ClientJwks
{
    public const int MaxKeys = 10;
    public const int MaxKidLength = 128;

    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private readonly IReadOnlyList<Key> _keys;

    private ClientJwks(IReadOnlyList<Key> keys, string json) => (_keys, Json) = (keys, json);

    public string Json { get; }

    public int Count => _keys.Count;

    /// <summary>The set, or the reason it is refused (naming <c>jwks</c>, never quoting it).</summary>
    public static (ClientJwks? Jwks, string? Error) Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
                return (null, "jwks must be a JWK Set: {\"keys\": [...]}");
            var count = list.GetArrayLength();
            if (count is 0 or > MaxKeys) return (null, $"jwks must hold 1 to {MaxKeys} keys");
            var keys = new List<Key>();
            foreach (var element in list.EnumerateArray())
            {
                var (key, error) = ReadKey(element);
                if (error is not null) return (null, error);
                if (key!.Kid is not null && keys.Any(k => k.Kid == key.Kid)) return (null, "jwks key ids (kid) must be unique");
                keys.Add(key);
            }
            return (new ClientJwks(keys, Write(keys)), null);
        }
        catch (JsonException)
        {
            return (null, "jwks must be a JWK Set: {\"keys\": [...]}");
        }
    }

    private static (Key? Key, string? Error) ReadKey(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object) return (null, "jwks keys must be JSON objects");
        foreach (var member in PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _)) return (null, "jwks must hold public keys only (no private key members)");
        }
        var kty = Text(jwk, "kty");
        var kid = Text(jwk, "kid");
        var alg = Text(jwk, "alg");
        var use = Text(jwk, "use");
        if (kid is { Length: 0 or > MaxKidLength }) return (null, $"jwks kid must be 1 to {MaxKidLength} characters");
        if (use is not null && use != "sig") return (null, "jwks keys must be signing keys (use \"sig\")");
        switch (kty)
        {
            case "RSA":
            {
                if (alg is not (null or "RS256" or "PS256")) return (null, "jwks RSA keys take alg RS256 or PS256");
                var n = Bytes(jwk, "n");
                var e = Bytes(jwk, "e");
                if (n is null || e is null || n.Length is < 256 or > 512 || n[0] == 0 || e.Length is 0 or > 8)
                    return (null, "jwks RSA keys need n (2048 to 4096 bits) and e");
                var rsa = RSA.Create();
                try
                {
                    rsa.ImportParameters(new RSAParameters { Modulus = n, Exponent = e });
                }
                catch (CryptographicException)
                {
                    rsa.Dispose();
                    return (null, "jwks holds an RSA key that cannot be used");
                }
                return (new Key(kid, alg, use, rsa, null, n, e), null);
            }
            case "EC":
            {
                if (alg is not (null or "ES256")) return (null, "jwks EC keys take alg ES256");
                if (Text(jwk, "crv") != "P-256") return (null, "jwks EC keys must be on curve P-256");
                var x = Bytes(jwk, "x");
                var y = Bytes(jwk, "y");
                if (x is not { Length: 32 } || y is not { Length: 32 }) return (null, "jwks EC keys need x and y of 32 bytes");
                var ec = ECDsa.Create();
                try
                {
                    ec.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
                }
                catch (CryptographicException)
                {
                    ec.Dispose();
                    return (null, "jwks holds an EC key that is not a point of P-256");
                }
                return (new Key(kid, alg, use, null, ec, x, y), null);
            }
            default:
                return (null, "jwks keys must be RSA or EC (P-256) public keys");
        }
    }

    /// <summary>
    /// Whether <paramref name="signature"/> over <paramref name="signingInput"/> verifies with a
    /// key of the set that allows <paramref name="alg"/>: the key <paramref name="kid"/> names, or
    /// any when the assertion names none.
    /// </summary>
    public bool Verify(string alg, string? kid, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        foreach (var key in _keys)
        {
            if (kid is not null && key.Kid != kid) continue;
            if (!key.Allows(alg)) continue;
            var valid = alg switch
            {
                "RS256" => key.Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                "PS256" => key.Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
                "ES256" => signature.Length == 64 && key.Ec!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
                _ => false,
            };
            if (valid) return true;
        }
        return false;
    }

    private static string Write(IReadOnlyList<Key> keys)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("keys");
            foreach (var key in keys)
            {
                w.WriteStartObject();
                w.WriteString("kty", key.Rsa is not null ? "RSA" : "EC");
                if (key.Kid is not null) w.WriteString("kid", key.Kid);
                if (key.Use is not null) w.WriteString("use", key.Use);
                if (key.Alg is not null) w.WriteString("alg", key.Alg);
                if (key.Rsa is not null)
                {
                    w.WriteString("n", Base64Url.EncodeToString(key.First));
                    w.WriteString("e", Base64Url.EncodeToString(key.Second));
                }
                else
                {
                    w.WriteString("crv", "P-256");
                    w.WriteString("x", Base64Url.EncodeToString(key.First));
                    w.WriteString("y", Base64Url.EncodeToString(key.Second));
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? Text(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement jwk, string name)
    {
        if (Text(jwk, name) is not { Length: > 0 and <= 1024 } text) return null;
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <param name="First">n of an RSA key, x of an EC key.</param>
    /// <param name="Second">e of an RSA key, y of an EC key.</param>
    private sealed record Key(string? Kid, string? Alg, string? Use, RSA? Rsa, ECDsa? Ec, byte[] First, byte[] Second)
    {
        public bool Allows(string alg) => Alg is not null ? Alg == alg : Rsa is not null ? alg is "RS256" or "PS256" : alg == "ES256";
    }
}
