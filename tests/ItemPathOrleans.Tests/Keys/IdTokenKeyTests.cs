using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Tests.Keys;

/// <summary>
/// Every key version's RSA companion, which signs ID tokens (RS256), in the tenant's JWKS as
/// <c>{kid}-rs256</c> beside the version's own published key: added by a rotation, gone with a
/// retirement, in HS256 and ES256 tenants alike; and an ID token minted from the stored ring
/// verifies with the published set, and is no access token of this service.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
[Collection(ServiceCollection.Name)]
public sealed class IdTokenKeyTests(ServiceFixture fixture)
{
    private const string BossPassword = "Id-Token-Keys-Pass-3";

    private HttpClient Client(string? token = null, string? tenant = null)
    {
        var http = fixture.Client();
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        return http;
    }

    private async Task<(string Tenant, HttpClient Admin)> NewTenantAsync()
    {
        var tenant = $"idk-{Guid.NewGuid():N}"[..12];
        using (var op = Client((await fixture.AdminLoginAsync()).GetProperty("accessToken").GetString()))
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = "Keys", adminUsername = "boss", adminPassword = BossPassword }), HttpStatusCode.Created);
        return (tenant, Client(await BossAccessAsync(tenant), tenant));
    }

    private async Task<string> BossAccessAsync(string tenant)
    {
        using var http = Client(tenant: tenant);
        return (await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "boss", password = BossPassword }))).GetProperty("accessToken").GetString()!;
    }

    private async Task<string> JwksAsync(string tenant)
    {
        using var http = Client();
        var response = await http.GetAsync($"/{tenant}/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static JsonElement[] Keys(string jwks) => JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().ToArray();

    private static string[] Kids(string jwks) => Keys(jwks).Select(k => k.GetProperty("kid").GetString()!).ToArray();

    [Fact]
    public async Task Each_live_version_publishes_its_ID_token_key_after_a_rotation_and_not_after_its_retirement()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var _ = admin;

        // An HS256 tenant: its version's own key is a secret; its ID token key is published.
        var jwks = await JwksAsync(tenant);
        var rsa = Assert.Single(Keys(jwks));
        Assert.Equal(["kty", "n", "e", "kid", "use", "alg"], rsa.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("RSA", "AQAB", "k1-rs256", "sig", "RS256"),
            (rsa.GetProperty("kty").GetString(), rsa.GetProperty("e").GetString(), rsa.GetProperty("kid").GetString(), rsa.GetProperty("use").GetString(), rsa.GetProperty("alg").GetString()));
        Assert.Equal(256, Base64Url.DecodeFromChars(rsa.GetProperty("n").GetString()).Length);
        var listed = await HttpAssert.Ok(await admin.GetAsync($"/api/tenants/{tenant}/keys"));
        Assert.True(Assert.Single(listed.GetProperty("keys").EnumerateArray().ToArray()).GetProperty("idTokenKey").GetBoolean());

        Assert.Equal("k2", (await HttpAssert.Ok(await admin.PostAsync($"/api/tenants/{tenant}/keys/rotate", null))).GetProperty("kid").GetString());
        var rotated = await JwksAsync(tenant);
        Assert.Equal(["k1-rs256", "k2-rs256"], Kids(rotated));
        Assert.NotEqual(Keys(rotated)[0].GetProperty("n").GetString(), Keys(rotated)[1].GetProperty("n").GetString());
        Assert.Equal(rsa.GetRawText(), Keys(rotated)[0].GetRawText());

        await HttpAssert.Ok(await admin.PostAsync($"/api/tenants/{tenant}/keys/k1/retire", null));
        Assert.Equal(["k2-rs256"], Kids(await JwksAsync(tenant)));

        // On ES256: the new version publishes its EC key as before, and its ID token key beside it.
        using var boss = Client(await BossAccessAsync(tenant), tenant);
        await HttpAssert.Ok(await boss.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { signingAlgorithm = "ES256" })));
        var es = await JwksAsync(tenant);
        Assert.Equal(["k2-rs256", "k3", "k3-rs256"], Kids(es));
        Assert.Equal(["kty", "crv", "x", "y", "kid", "use", "alg"], Keys(es)[1].EnumerateObject().Select(p => p.Name));
        // (Its HS256 tokens stop with the switch: a new login signs with k3.)
        using var esBoss = Client(await BossAccessAsync(tenant), tenant);
        var keys = (await HttpAssert.Ok(await esBoss.GetAsync($"/api/tenants/{tenant}/keys"))).GetProperty("keys").EnumerateArray().ToArray();
        Assert.Equal([("k1", "HS256", true), ("k2", "HS256", true), ("k3", "ES256", true)],
            keys.Select(k => (k.GetProperty("kid").GetString()!, k.GetProperty("alg").GetString()!, k.GetProperty("idTokenKey").GetBoolean())));
    }

    [Fact]
    public async Task An_ID_token_from_the_stored_ring_verifies_with_the_JWKS_and_is_no_access_token()
    {
        var (tenant, admin) = await NewTenantAsync();
        using var _ = admin;
        await HttpAssert.Ok(await admin.PostAsync($"/api/tenants/{tenant}/keys/rotate", null));
        // As a minter does: the current version gets its ID token key on first need.
        var info = await fixture.Cluster.Client.GetGrain<ITenantGrain>(tenant).EnsureIdTokenKey();
        var options = Options.Create(TestSettings.Tokens());
        var minter = new TokenMinter(new SigningKeyDerivation(options), options);
        var profile = new UserProfile(tenant, 1, "boss", "boss@example.com", UserTypes.User, UserStatus.Active, true, "en", "UTC", info.CreatedAt, info.CreatedAt);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var idToken = minter.MintIdToken(info, new IdTokenDescriptor("some-client", profile, ["openid", "profile"], now, now + 300, now, "nonce-1", "sid-1", null));

        var set = new JsonWebKeySet(await JwksAsync(tenant));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKeys = set.GetSigningKeys(),
            ValidIssuer = $"{TestSettings.Issuer}/{tenant}",
            ValidAudience = "some-client",
            ValidAlgorithms = ["RS256"],
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("k2-rs256", ((JsonWebToken)result.SecurityToken).Kid);

        // Presented as a bearer token, the API refuses it: no endpoint takes an ID token for access.
        using var bearer = Client(idToken, tenant);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/auth/verify")).StatusCode);
    }
}
