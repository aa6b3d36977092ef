using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Grains.Clients;

namespace ItemPathOrleans.UnitTests.Grains.Clients;

/// <summary><c>private_key_jwt</c> assertions and the client keys that verify them, with no cluster.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class ClientAssertionsTests
{
    private const string Client = "svc";
    private const string Audience = "https://auth.example/t1/oauth/token";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Audiences = ["https://auth.example/t1", Audience];

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static string Sign(object header, object payload, Func<byte[], byte[]> sign)
    {
        var input = $"{B64(JsonSerializer.SerializeToUtf8Bytes(header))}.{B64(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        return $"{input}.{B64(sign(Encoding.ASCII.GetBytes(input)))}";
    }

    private static object Claims(long? exp = null, object? aud = null, string iss = Client, string sub = Client, string? jti = "j1") =>
        new Dictionary<string, object?> { ["iss"] = iss, ["sub"] = sub, ["aud"] = aud ?? Audience, ["exp"] = exp ?? Now.AddMinutes(1).ToUnixTimeSeconds(), ["jti"] = jti }
            .Where(kv => kv.Value is not null).ToDictionary();

    private static (ClientJwks Keys, RSA Rsa, ECDsa Ec) Keys()
    {
        var rsa = RSA.Create(2048);
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var r = rsa.ExportParameters(false);
        var e = ec.ExportParameters(false);
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new object[]
            {
                new { kty = "RSA", kid = "r1", n = B64(r.Modulus!), e = B64(r.Exponent!) },
                new { kty = "EC", kid = "e1", crv = "P-256", x = B64(e.Q.X!), y = B64(e.Q.Y!) },
            },
        });
        var (keys, error) = ClientJwks.Parse(jwks);
        Assert.Null(error);
        return (keys!, rsa, ec);
    }

    private static byte[] Rs256(RSA rsa, byte[] input) => rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    private static byte[] Es256(ECDsa ec, byte[] input) => ec.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Fact]
    public void A_valid_assertion_gives_its_jti_and_expiry()
    {
        var (keys, rsa, ec) = Keys();
        var rs = Sign(new { alg = "RS256", kid = "r1" }, Claims(), i => Rs256(rsa, i));
        var es = Sign(new { alg = "ES256", typ = "JWT" }, Claims(aud: new[] { "other", Audiences[0] }), i => Es256(ec, i));

        Assert.Equal(new AcceptedAssertion("j1", Now.AddMinutes(1).ToUnixTimeSeconds()), ClientAssertions.Validate(rs, Client, keys, Audiences, Now));
        Assert.NotNull(ClientAssertions.Validate(es, Client, keys, Audiences, Now));
    }

    [Fact]
    public void The_algorithm_is_pinned_to_the_keys_type()
    {
        var (keys, rsa, _) = Keys();
        // An RSA signature presented as ES256, or as HS256 with the RSA key's bytes: no key allows it.
        Assert.Null(ClientAssertions.Validate(Sign(new { alg = "ES256", kid = "r1" }, Claims(), i => Rs256(rsa, i)), Client, keys, Audiences, Now));
        var modulus = rsa.ExportParameters(false).Modulus!;
        Assert.Null(ClientAssertions.Validate(Sign(new { alg = "HS256", kid = "r1" }, Claims(), i => HMACSHA256.HashData(modulus, i)), Client, keys, Audiences, Now));
        Assert.Null(ClientAssertions.Validate(Sign(new { alg = "none" }, Claims(), _ => []), Client, keys, Audiences, Now));
    }

    public static TheoryData<object, string> BadClaims => new()
    {
        { Claims(exp: Now.AddMinutes(-2).ToUnixTimeSeconds()), "expired" },
        { Claims(exp: Now.AddMinutes(6).ToUnixTimeSeconds()), "more than five minutes ahead" },
        { Claims(aud: "https://auth.example/t2/oauth/token"), "another tenant's audience" },
        { Claims(iss: "other"), "another issuer" },
        { Claims(sub: "other"), "another subject" },
        { Claims(jti: null), "no jti" },
    };

    [Theory]
    [MemberData(nameof(BadClaims))]
    public void An_assertion_whose_claims_break_a_rule_is_refused(object claims, string why)
    {
        var (keys, rsa, _) = Keys();
        Assert.True(ClientAssertions.Validate(Sign(new { alg = "RS256", kid = "r1" }, claims, i => Rs256(rsa, i)), Client, keys, Audiences, Now) is null, why);
    }

    [Fact]
    public void Malformed_assertions_are_refused_without_an_exception()
    {
        var (keys, _, _) = Keys();
        foreach (var garbage in new[] { "", "a.b", "a.b.c", "!!!.???.***", "e30.e30.", new string('a', 9000) })
            Assert.Null(ClientAssertions.Validate(garbage, Client, keys, Audiences, Now));
    }

    [Theory]
    [InlineData("""{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}""", "jwks must hold public keys only (no private key members)")]
    [InlineData("""{"keys":[]}""", "jwks must hold 1 to 10 keys")]
    [InlineData("""{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]}""", "jwks keys must be RSA or EC (P-256) public keys")]
    [InlineData("""{"keys":[{"kty":"EC","crv":"P-384","x":"AAAA","y":"AAAA"}]}""", "jwks EC keys must be on curve P-256")]
    [InlineData("""{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}""", "jwks RSA keys need n (2048 to 4096 bits) and e")]
    [InlineData("""{"keys":[{"kty":"RSA","alg":"ES256","n":"AQAB","e":"AQAB"}]}""", "jwks RSA keys take alg RS256 or PS256")]
    [InlineData("""[1]""", "jwks must be a JWK Set: {\"keys\": [...]}")]
    public void A_key_set_that_is_not_public_signing_keys_of_the_allowed_types_is_refused(string jwks, string error)
    {
        Assert.Equal(error, ClientJwks.Parse(jwks).Error);
    }

    [Fact]
    public void A_point_off_the_curve_is_refused()
    {
        var x = new byte[32];
        var y = new byte[32];
        x[31] = 1;
        y[31] = 1;
        var jwks = JsonSerializer.Serialize(new { keys = new[] { new { kty = "EC", crv = "P-256", x = B64(x), y = B64(y) } } });
        Assert.NotNull(ClientJwks.Parse(jwks).Error);
    }
}
