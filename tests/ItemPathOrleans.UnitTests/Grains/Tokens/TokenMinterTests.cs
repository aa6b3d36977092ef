using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.UnitTests.Grains.Tokens;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class TokenMinterTests
{
    private static readonly TokensOptions Options = TestSettings.Tokens();
    private static readonly SigningKeyDerivation Keys = new(Microsoft.Extensions.Options.Options.Create(Options));
    private static readonly TokenMinter Minter = new(Keys, Microsoft.Extensions.Options.Options.Create(Options));
    private static readonly SigningKeyVersion K1 = new("k1", TestSettings.MasterKeyId, new byte[32], DateTimeOffset.UnixEpoch, null);
    private static readonly TenantInfo Tenant = new("acme", "Acme", false, DateTimeOffset.UnixEpoch, TenantSettings.Default, [K1], "k1");

    private static (JsonElement Header, string PayloadJson, JsonElement Payload) Decode(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        var payloadJson = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        return (header, payloadJson, JsonDocument.Parse(payloadJson).RootElement);
    }

    [Fact]
    public void Access_token_has_the_ItemPath_claims_in_order()
    {
        var token = Minter.Mint(Tenant, new TokenDescriptor("access", "j-1", "alice", 1_700_000_000, 1_700_000_900, 7, "s-1"));
        var (header, _, payload) = Decode(token);

        Assert.Equal(["typ", "alg", "kid"], header.EnumerateObject().Select(p => p.Name));
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        Assert.Equal("k1", header.GetProperty("kid").GetString());
        Assert.Equal(["fresh", "iat", "jti", "type", "identity", "nbf", "exp", "tid", "uid", "sid", "iss", "aud", "sub"],
            payload.EnumerateObject().Select(p => p.Name));
        Assert.False(payload.GetProperty("fresh").GetBoolean());
        Assert.Equal(1_700_000_000, payload.GetProperty("iat").GetInt64());
        Assert.Equal(payload.GetProperty("iat").GetInt64(), payload.GetProperty("nbf").GetInt64());
        Assert.Equal(900, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        Assert.Equal("access", payload.GetProperty("type").GetString());
        Assert.Equal("alice", payload.GetProperty("identity").GetString());
        Assert.Equal("acme", payload.GetProperty("tid").GetString());
        Assert.Equal(7, payload.GetProperty("uid").GetInt32());
        Assert.Equal("s-1", payload.GetProperty("sid").GetString());
        Assert.Equal("http://127.0.0.1:5080/acme", payload.GetProperty("iss").GetString());
        Assert.Equal("itempath-api", payload.GetProperty("aud").GetString());
        Assert.Equal("7", payload.GetProperty("sub").GetString());
    }

    [Fact]
    public void Refresh_token_is_addressed_to_the_authorization_server_not_to_resource_servers()
    {
        var token = Minter.Mint(Tenant, new TokenDescriptor("refresh", "r-1", "alice", 1_700_000_000, 1_702_592_000, 7, "s-1"));
        var (header, _, payload) = Decode(token);

        Assert.Equal("HS256", header.GetProperty("alg").GetString());
        Assert.Equal("http://127.0.0.1:5080/acme", payload.GetProperty("aud").GetString());
        Assert.Equal(["fresh", "iat", "jti", "type", "identity", "nbf", "exp", "tid", "uid", "sid", "iss", "aud", "sub"],
            payload.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Application_token_has_no_exp()
    {
        var token = Minter.Mint(Tenant, new TokenDescriptor("access", "s-9", "robot", 1_700_000_000, null, 8, "s-9"));
        var (_, _, payload) = Decode(token);
        Assert.False(payload.TryGetProperty("exp", out _));
        Assert.Equal(payload.GetProperty("jti").GetString(), payload.GetProperty("sid").GetString());
    }

    [Fact]
    public void Minting_is_deterministic_so_a_successor_can_be_re_signed()
    {
        var descriptor = new TokenDescriptor("refresh", "j-2", "alice", 1_700_000_000, 1_702_592_000, 7, "s-1");
        Assert.Equal(Minter.Mint(Tenant, descriptor), Minter.Mint(Tenant, descriptor));
    }

    [Fact]
    public async Task Tokens_verify_with_the_derived_tenant_key_in_a_second_implementation()
    {
        var token = Minter.Mint(Tenant, new TokenDescriptor("access", "j-3", "alice", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(15).ToUnixTimeSeconds(), 7, "s-1"));
        var secret = Keys.SecretFor("acme", K1)!;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(secret),
            ValidIssuer = "http://127.0.0.1:5080/acme",
            ValidAudience = "itempath-api",
            ValidAlgorithms = ["HS256"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public void Each_tenant_and_key_version_gets_its_own_secret()
    {
        var master = Convert.FromBase64String(TestSettings.MasterSecret);
        var salt = new byte[32];
        var a = SigningKeyDerivation.Derive(master, salt, "acme", "k1");
        Assert.NotEqual(a, SigningKeyDerivation.Derive(master, salt, "other", "k1"));
        Assert.NotEqual(a, SigningKeyDerivation.Derive(master, salt, "acme", "k2"));
        Assert.NotEqual(a, SigningKeyDerivation.Derive(master, [1, 2, 3], "acme", "k1"));
        Assert.Equal(32, a.Length);
    }

    [Fact]
    public void Tokens_options_refuse_to_start_without_a_usable_master_key()
    {
        Assert.NotEmpty(new TokensOptions().Validate());
        Assert.NotEmpty(new TokensOptions { MasterKeys = [new MasterKey { Id = "m", Secret = "c2hvcnQ=" }] }.Validate());
        Assert.Empty(TestSettings.Tokens().Validate());
    }
}
