using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.UnitTests.Grains.Tokens;

/// <summary>
/// ID tokens: RS256 with the RSA companion of the current key version, whatever the tenant's
/// algorithm, verified by Microsoft.IdentityModel against nothing but the public key.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class IdTokenMintingTests
{
    private static readonly MasterKey Master = new() { Id = TestSettings.MasterKeyId, Secret = TestSettings.MasterSecret };
    private static readonly IOptions<TokensOptions> Options = Microsoft.Extensions.Options.Options.Create(TestSettings.Tokens());
    private static readonly RsaSigningKeys RsaKeys = new(Options);
    private static readonly TokenMinter Minter = new(new SigningKeyDerivation(Options), Options, new EcSigningKeys(Options), RsaKeys);

    private static readonly SigningKeyVersion K1 = new("k1", Master.Id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UnixEpoch, null);
    private static readonly SigningKeyVersion K2 = RsaSigningKeys.WithCompanion("acme", new SigningKeyVersion("k2", Master.Id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UnixEpoch, null), Master);
    private static readonly TenantInfo Tenant = new("acme", "Acme", false, DateTimeOffset.UnixEpoch, TenantSettings.Default, [K1, K2], "k2");

    private static readonly UserProfile Alice = new("acme", 7, "alice", "alice@example.com", UserTypes.User, UserStatus.Active, false,
        "fr", "Europe/Paris", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private const long IssuedAt = 1_800_000_000;

    private static IdTokenDescriptor Descriptor(string? nonce = "n-0S6_WzA2Mj", string? accessToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI3In0.c2ln", params string[] scopes) =>
        new("warehouse-spa", Alice, scopes.Length == 0 ? ["openid", "profile", "email"] : scopes, IssuedAt, IssuedAt + 300, IssuedAt - 60, nonce, "sid-web-1", accessToken);

    private static async Task<TokenValidationResult> ValidateAsync(string token, SigningKeyVersion version, string audience = "warehouse-spa")
    {
        var key = new RsaSecurityKey(RsaKeys.PublicKey("acme", version)) { KeyId = $"{version.Kid}-rs256" };
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidIssuer = "http://127.0.0.1:5080/acme",
            ValidAudience = audience,
            ValidAlgorithms = ["RS256"],
            ValidTypes = ["JWT"],
            // The claims are fixed in time; exp and iat are checked below as values.
            ValidateLifetime = false,
        });
    }

    private static (JsonElement Header, JsonElement Payload) Decode(string token)
    {
        var parts = token.Split('.');
        return (JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement, JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement);
    }

    [Fact]
    public async Task An_ID_token_verifies_with_the_public_key_of_the_current_version_s_companion()
    {
        var token = Minter.MintIdToken(Tenant, Descriptor());
        var result = await ValidateAsync(token, K2);
        Assert.True(result.IsValid, result.Exception?.Message);

        var (header, payload) = Decode(token);
        Assert.Equal("""{"typ":"JWT","alg":"RS256","kid":"k2-rs256"}""", header.GetRawText());
        Assert.Equal(["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "at_hash",
            "preferred_username", "name", "locale", "zoneinfo", "email", "email_verified"], payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal("7", payload.GetProperty("sub").GetString());
        Assert.Equal("warehouse-spa", payload.GetProperty("aud").GetString());
        Assert.Equal((IssuedAt, IssuedAt + 300, IssuedAt - 60),
            (payload.GetProperty("iat").GetInt64(), payload.GetProperty("exp").GetInt64(), payload.GetProperty("auth_time").GetInt64()));
        Assert.Equal(("n-0S6_WzA2Mj", "sid-web-1"), (payload.GetProperty("nonce").GetString(), payload.GetProperty("sid").GetString()));
        Assert.Equal(("alice", "alice", "fr", "Europe/Paris"), (payload.GetProperty("preferred_username").GetString(), payload.GetProperty("name").GetString(),
            payload.GetProperty("locale").GetString(), payload.GetProperty("zoneinfo").GetString()));
        Assert.Equal(("alice@example.com", false), (payload.GetProperty("email").GetString(), payload.GetProperty("email_verified").GetBoolean()));
        // Nothing that makes it an access token of this service.
        foreach (var claim in new[] { "tid", "uid", "type", "identity", "jti", "scope", "client_id" }) Assert.False(payload.TryGetProperty(claim, out _), claim);

        // Not with another audience, nor with another version's key.
        Assert.False((await ValidateAsync(token, K2, "other-client")).IsValid);
        var k3 = RsaSigningKeys.WithCompanion("acme", K2 with { Kid = "k3", RsaEncryptedPrivateKey = null, RsaPublicKey = null }, Master);
        Assert.False((await ValidateAsync(token, k3 with { Kid = "k2" })).IsValid);
    }

    [Fact]
    public void The_access_token_hash_is_the_left_half_of_its_SHA_256()
    {
        const string access = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NiJ9.eyJzdWIiOiI3In0.sig";
        var (_, payload) = Decode(Minter.MintIdToken(Tenant, Descriptor(accessToken: access)));
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(access));
        var expected = Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, payload.GetProperty("at_hash").GetString());
        Assert.Equal(22, expected.Length);
        // OpenID Core's example pair (A.3/A.4 use RS256): access token jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y, at_hash 77QmUPtjPfzWtF2AnpK9RQ.
        Assert.Equal("77QmUPtjPfzWtF2AnpK9RQ", TokenMinter.AccessTokenHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"));
    }

    [Fact]
    public async Task Nonce_and_at_hash_appear_only_when_given_and_scopes_decide_the_profile_claims()
    {
        var bare = Minter.MintIdToken(Tenant, Descriptor(nonce: null, accessToken: null, scopes: ["openid"]));
        Assert.True((await ValidateAsync(bare, K2)).IsValid);
        Assert.Equal(["iss", "sub", "aud", "exp", "iat", "auth_time", "sid"], Decode(bare).Payload.EnumerateObject().Select(p => p.Name));

        var email = Decode(Minter.MintIdToken(Tenant, Descriptor(scopes: ["openid", "email"]))).Payload;
        Assert.Equal(["email", "email_verified"], email.EnumerateObject().Select(p => p.Name).Skip(9));
        var profile = Decode(Minter.MintIdToken(Tenant, Descriptor(scopes: ["openid", "profile"]))).Payload;
        Assert.Equal(["preferred_username", "name", "locale", "zoneinfo"], profile.EnumerateObject().Select(p => p.Name).Skip(9));
    }

    [Fact]
    public async Task An_ES256_tenant_signs_its_ID_tokens_with_RS256_too()
    {
        var es = RsaSigningKeys.WithCompanion("acme", EcSigningKeys.Create("acme", "k3", Master, DateTimeOffset.UnixEpoch), Master);
        var tenant = Tenant with { Settings = TenantSettings.Default with { SigningAlgorithm = "ES256" }, Keys = [K1, K2, es], CurrentKid = "k3" };
        var token = Minter.MintIdToken(tenant, Descriptor());
        Assert.Equal("""{"typ":"JWT","alg":"RS256","kid":"k3-rs256"}""", Decode(token).Header.GetRawText());
        Assert.True((await ValidateAsync(token, es)).IsValid);
        // Its access tokens stay ES256.
        Assert.Equal("ES256", Decode(Minter.Mint(tenant, new TokenDescriptor("access", "j-1", "alice", IssuedAt, IssuedAt + 900, 7, "s-1"))).Header.GetProperty("alg").GetString());
    }

    [Fact]
    public void A_current_version_without_a_companion_or_its_master_key_is_unavailable_for_ID_tokens()
    {
        var stale = Tenant with { CurrentKid = "k1" };
        var error = Assert.Throws<SigningKeyUnavailableException>(() => Minter.MintIdToken(stale, Descriptor()));
        Assert.Contains("k1", error.Message);

        var elsewhere = new MasterKey { Id = "m-elsewhere", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var foreign = RsaSigningKeys.WithCompanion("acme", new SigningKeyVersion("k4", elsewhere.Id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UnixEpoch, null), elsewhere);
        Assert.Throws<SigningKeyUnavailableException>(() => Minter.MintIdToken(Tenant with { Keys = [K1, K2, foreign], CurrentKid = "k4" }, Descriptor()));
    }

    [Fact]
    public async Task A_minter_made_without_RSA_keys_of_its_own_opens_the_companion_itself()
    {
        var minter = new TokenMinter(new SigningKeyDerivation(Options), Options);
        Assert.True((await ValidateAsync(minter.MintIdToken(Tenant, Descriptor()), K2)).IsValid);
    }

    [Fact]
    public async Task Concurrent_ID_tokens_all_verify()
    {
        var tokens = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => Minter.MintIdToken(Tenant, Descriptor(nonce: $"n-{i}")))));
        foreach (var token in tokens) Assert.True((await ValidateAsync(token, K2)).IsValid);
        Assert.Equal(32, tokens.Select(t => Decode(t).Payload.GetProperty("nonce").GetString()).Distinct().Count());
    }
}
