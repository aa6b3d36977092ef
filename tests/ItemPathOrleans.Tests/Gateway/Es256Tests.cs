using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>
/// Tenants on ES256: tokens signed with the tenant's P-256 key, validated by an independent
/// library from the published JWKS; the algorithm pinned per tenant both ways.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Interop)]
public sealed class Es256Tests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string BossPassword = GatewayFixture.Password;

    private async Task<string> NewTenantAsync(string algorithm)
    {
        var tenant = $"es-{Guid.NewGuid():N}"[..12];
        using (var op = GatewayFixture.Client(fixture.Api, fixture.AdminToken))
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = "ES", adminUsername = "boss", adminPassword = BossPassword }), HttpStatusCode.Created);
        if (algorithm != "HS256") await SetAlgorithmAsync(tenant, algorithm);
        return tenant;
    }

    private async Task<JsonElement> SetAlgorithmAsync(string tenant, string algorithm)
    {
        using var http = GatewayFixture.Client(fixture.Api, await BossAccessAsync(tenant), tenant);
        var updated = await HttpAssert.Ok(await http.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { signingAlgorithm = algorithm })));
        Assert.Equal(algorithm, updated.GetProperty("settings").GetProperty("signingAlgorithm").GetString());
        return updated;
    }

    private async Task<JsonElement> BossLoginAsync(string tenant) => await GatewayFixture.LoginAsync(fixture.Api, "boss", BossPassword, tenant);

    private async Task<string> BossAccessAsync(string tenant) => (await BossLoginAsync(tenant)).GetProperty("accessToken").GetString()!;

    private async Task<string> JwksAsync(string path, string? tenant = null)
    {
        using var http = GatewayFixture.Client(fixture.Api, tenant: tenant);
        var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The kids of the set's EC keys (every version also publishes its ID token key, RSA, as <c>{kid}-rs256</c>: Keys/IdTokenKeyTests).</summary>
    private static string[] Kids(string jwks) =>
        EcKeys(jwks).Select(k => k.GetProperty("kid").GetString()!).ToArray();

    private static JsonElement[] EcKeys(string jwks) =>
        JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("kty").GetString() == "EC").ToArray();

    private static JsonElement Header(string token) => JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement;

    private static async Task<HttpStatusCode> MeAsync(ApiFactory api, string token, string tenant)
    {
        using var http = GatewayFixture.Client(api, token, tenant);
        return (await http.GetAsync("/api/users/me")).StatusCode;
    }

    [Fact]
    public async Task Tokens_of_an_ES256_tenant_verify_with_its_JWKS_in_PyJWT()
    {
        var tenant = await NewTenantAsync("ES256");
        var login = await BossLoginAsync(tenant);
        var access = login.GetProperty("accessToken").GetString()!;
        var refresh = login.GetProperty("refreshToken").GetString()!;
        Assert.Equal("ES256", Header(access).GetProperty("alg").GetString());
        Assert.Equal("k2", Header(access).GetProperty("kid").GetString());
        Assert.Equal("JWT", Header(access).GetProperty("typ").GetString());

        var jwks = await JwksAsync($"/{tenant}/.well-known/jwks.json");
        var key = Assert.Single(EcKeys(jwks));
        Assert.Equal(["kty", "crv", "x", "y", "kid", "use", "alg"], key.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("sig", key.GetProperty("use").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.Equal(32, Base64Url.DecodeFromChars(key.GetProperty("x").GetString()).Length);

        var issuer = $"{TestSettings.Issuer}/{tenant}";
        var result = await JwksPyJwt.VerifyAsync(access, jwks, issuer);
        Assert.True(result.Error is null, result.Error);
        Assert.Equal(tenant, result.Claims.GetProperty("tid").GetString());
        Assert.Equal("boss", result.Claims.GetProperty("identity").GetString());
        // A refresh token is for this service alone (HS256 under the tenant's secret, addressed to
        // the issuer): no resource server verifies it with the JWKS, whatever audience it expects.
        Assert.Equal(("HS256", "k2"), (Header(refresh).GetProperty("alg").GetString(), Header(refresh).GetProperty("kid").GetString()));
        foreach (var audience in new[] { "itempath-api", issuer })
            Assert.StartsWith("InvalidAlgorithmError", (await JwksPyJwt.VerifyAsync(refresh, jwks, issuer, audience)).Error);
        // The same library refuses a token whose signature was changed.
        var parts = access.Split('.');
        var sig = Base64Url.DecodeFromChars(parts[2]);
        sig[5] ^= 1;
        Assert.NotNull((await JwksPyJwt.VerifyAsync($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(sig)}", jwks, issuer)).Error);

        // The API takes them too: a resource call, verify, refresh.
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fixture.Api, access, tenant));
        using var refreshHttp = GatewayFixture.Client(fixture.Api, refresh, tenant);
        var refreshed = await HttpAssert.Ok(await refreshHttp.PostAsync("/api/users/refresh", null));
        var next = refreshed.GetProperty("accessToken").GetString()!;
        Assert.Null((await JwksPyJwt.VerifyAsync(next, jwks, issuer)).Error);
        using var verify = GatewayFixture.Client(fixture.Api, next, tenant);
        Assert.Equal(tenant, (await HttpAssert.Ok(await verify.GetAsync("/api/auth/verify"))).GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task The_JWKS_is_served_in_every_form_and_only_for_known_tenants()
    {
        var tenant = await NewTenantAsync("ES256");
        var underIssuer = await JwksAsync($"/{tenant}/.well-known/jwks.json");
        Assert.Equal(underIssuer, await JwksAsync($"/.well-known/jwks.json/{tenant}"));
        Assert.Equal(underIssuer, await JwksAsync("/.well-known/jwks.json", tenant));

        // An HS256 tenant publishes no key of its own: its keys are secrets (only its ID token keys, RSA).
        Assert.Empty(Kids(await JwksAsync("/.well-known/jwks.json")));
        Assert.Empty(Kids(await JwksAsync("/default/.well-known/jwks.json")));

        using var http = fixture.Api.CreateClient();
        await HttpAssert.Problem(await http.GetAsync("/nosuch-tenant/.well-known/jwks.json"), HttpStatusCode.NotFound, "Unknown tenant");
        await HttpAssert.Problem(await http.GetAsync("/.well-known/jwks.json/Not_A_Tenant"), HttpStatusCode.NotFound, "Unknown tenant");
        using var unknown = GatewayFixture.Client(fixture.Api, tenant: "nosuch-tenant");
        await HttpAssert.Problem(await unknown.GetAsync("/.well-known/jwks.json"), HttpStatusCode.NotFound, "Unknown tenant");
    }

    [Fact]
    public async Task Rotation_and_retirement_show_in_the_JWKS()
    {
        var tenant = await NewTenantAsync("ES256");
        var before = await BossAccessAsync(tenant);
        using var admin = GatewayFixture.Client(fixture.Api, before, tenant);
        Assert.Equal("k3", (await HttpAssert.Ok(await admin.PostAsync($"/api/tenants/{tenant}/keys/rotate", null))).GetProperty("kid").GetString());

        var jwks = await JwksAsync($"/{tenant}/.well-known/jwks.json");
        Assert.Equal(["k2", "k3"], Kids(jwks));
        var after = await BossAccessAsync(tenant);
        Assert.Equal("k3", Header(after).GetProperty("kid").GetString());
        var issuer = $"{TestSettings.Issuer}/{tenant}";
        Assert.Null((await JwksPyJwt.VerifyAsync(before, jwks, issuer)).Error);
        Assert.Null((await JwksPyJwt.VerifyAsync(after, jwks, issuer)).Error);

        var keys = await HttpAssert.Ok(await admin.GetAsync($"/api/tenants/{tenant}/keys"));
        Assert.Equal(["HS256", "ES256", "ES256"], keys.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("alg").GetString()!).ToArray());

        using var adminAfter = GatewayFixture.Client(fixture.Api, after, tenant);
        await HttpAssert.Ok(await adminAfter.PostAsync($"/api/tenants/{tenant}/keys/k2/retire", null));
        var retired = await JwksAsync($"/{tenant}/.well-known/jwks.json");
        Assert.Equal(["k3"], Kids(retired));
        Assert.Equal("NoKey: no key with this kid in the JWKS", (await JwksPyJwt.VerifyAsync(before, retired, issuer)).Error);
        await HttpAssert.InvalidToken(await admin.GetAsync("/api/users/me"), "Token has been revoked");
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fixture.Api, after, tenant));
    }

    [Fact]
    public async Task An_ES256_tenant_refuses_HS256_tokens_even_signed_with_its_public_key()
    {
        var tenant = await NewTenantAsync("HS256");
        var hs256 = await BossAccessAsync(tenant);
        Assert.Equal("HS256", Header(hs256).GetProperty("alg").GetString());
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fixture.Api, hs256, tenant));

        await SetAlgorithmAsync(tenant, "ES256");
        // Its own earlier token, signed with its own (not retired) HS256 key k1.
        using (var http = GatewayFixture.Client(fixture.Api, hs256, tenant))
            await HttpAssert.InvalidToken(await http.GetAsync("/api/auth/verify"), "Signature verification failed");

        // The classic confusion: HS256 with the published public key as the HMAC secret, naming the ES256 kid.
        var jwk = EcKeys(await JwksAsync($"/{tenant}/.well-known/jwks.json"))[0];
        var x = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString());
        var y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString());
        using var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
        var es256 = await BossAccessAsync(tenant);
        var payload = es256.Split('.')[1];
        foreach (var secret in new[] { [.. x, .. y], [0x04, .. x, .. y], Encoding.ASCII.GetBytes(ec.ExportSubjectPublicKeyInfoPem()), Encoding.UTF8.GetBytes(jwk.GetRawText()) })
        {
            var head = Base64Url.EncodeToString("""{"typ":"JWT","alg":"HS256","kid":"k2"}"""u8);
            var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes($"{head}.{payload}"));
            using var http = GatewayFixture.Client(fixture.Api, $"{head}.{payload}.{Base64Url.EncodeToString(signature)}", tenant);
            await HttpAssert.InvalidToken(await http.GetAsync("/api/auth/verify"), "Signature verification failed");
        }
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fixture.Api, es256, tenant));
    }

    [Fact]
    public async Task A_refresh_token_outlives_a_switch_of_algorithm_and_answers_access_tokens_of_the_new_one()
    {
        var tenant = await NewTenantAsync("ES256");
        var login = await BossLoginAsync(tenant);
        var refresh = login.GetProperty("refreshToken").GetString()!;
        await SetAlgorithmAsync(tenant, "HS256");

        // The access token of the other algorithm stops; the refresh token (HS256 in every tenant) goes on.
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(fixture.Api, login.GetProperty("accessToken").GetString()!, tenant));
        using var http = GatewayFixture.Client(fixture.Api, refresh, tenant);
        var access = (await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null))).GetProperty("accessToken").GetString()!;
        Assert.Equal(("HS256", "k3"), (Header(access).GetProperty("alg").GetString(), Header(access).GetProperty("kid").GetString()));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fixture.Api, access, tenant));
    }

    [Fact]
    public async Task An_HS256_tenant_refuses_ES256_tokens()
    {
        var tenant = await NewTenantAsync("ES256");
        var es256 = await BossAccessAsync(tenant);
        await SetAlgorithmAsync(tenant, "HS256");
        // Its own earlier token, signed with its own (not retired) ES256 key.
        using (var http = GatewayFixture.Client(fixture.Api, es256, tenant))
            await HttpAssert.InvalidToken(await http.GetAsync("/api/users/me"), "Signature verification failed");
        var hs256 = await BossAccessAsync(tenant);
        Assert.Equal(("HS256", "k3"), (Header(hs256).GetProperty("alg").GetString(), Header(hs256).GetProperty("kid").GetString()));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fixture.Api, hs256, tenant));
        Assert.Empty(Kids(await JwksAsync($"/{tenant}/.well-known/jwks.json")));

        // The default tenant (HS256) and an ES256 token of our own making naming its kid k1.
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var defaultAccess = fixture.AdminToken;
        var head = Base64Url.EncodeToString("""{"typ":"JWT","alg":"ES256","kid":"k1"}"""u8);
        var input = $"{head}.{defaultAccess.Split('.')[1]}";
        var forged = $"{input}.{Base64Url.EncodeToString(ec.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256))}";
        using var forgedHttp = GatewayFixture.Client(fixture.Api, forged);
        await HttpAssert.InvalidToken(await forgedHttp.GetAsync("/api/auth/verify"), "Signature verification failed");
    }

    [Fact]
    public async Task Switching_back_and_forth_keeps_every_stored_version_and_reuses_none()
    {
        var tenant = await NewTenantAsync("ES256");
        await SetAlgorithmAsync(tenant, "HS256");
        var updated = await SetAlgorithmAsync(tenant, "ES256");
        using var admin = GatewayFixture.Client(fixture.Api, await BossAccessAsync(tenant), tenant);
        var keys = (await HttpAssert.Ok(await admin.GetAsync($"/api/tenants/{tenant}/keys"))).GetProperty("keys").EnumerateArray().ToArray();
        Assert.Equal(["k1", "k2", "k3", "k4"], keys.Select(k => k.GetProperty("kid").GetString()!).ToArray());
        Assert.Equal(["HS256", "ES256", "HS256", "ES256"], keys.Select(k => k.GetProperty("alg").GetString()!).ToArray());
        Assert.Equal("k4", keys.Single(k => k.GetProperty("current").GetBoolean()).GetProperty("kid").GetString());
        Assert.All(keys, k => Assert.True(k.GetProperty("retiredAt").ValueKind == JsonValueKind.Null));

        // Both ES256 versions validate again and are published; a setting change that keeps the algorithm adds no version.
        Assert.Equal(["k2", "k4"], Kids(await JwksAsync($"/{tenant}/.well-known/jwks.json")));
        await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { signingAlgorithm = "ES256", passwordMinLength = 9 })));
        Assert.Equal(4, (await HttpAssert.Ok(await admin.GetAsync($"/api/tenants/{tenant}/keys"))).GetProperty("total").GetInt32());
        Assert.Equal("k4", Header(await BossAccessAsync(tenant)).GetProperty("kid").GetString());
    }

    [Theory]
    [InlineData("""{"signingAlgorithm": "RS256"}""", "signingAlgorithm must be HS256 or ES256")]
    [InlineData("""{"signingAlgorithm": "none"}""", "signingAlgorithm must be HS256 or ES256")]
    [InlineData("""{"signingAlgorithm": "es256"}""", "signingAlgorithm must be HS256 or ES256")]
    [InlineData("""{"signingAlgorithm": 256}""", "Field 'signingAlgorithm' must be a string")]
    public async Task Other_algorithms_are_a_400_naming_the_field(string body, string message)
    {
        var tenant = await NewTenantAsync("HS256");
        using var http = GatewayFixture.Client(fixture.Api, await BossAccessAsync(tenant), tenant);
        await HttpAssert.Problem(await http.PatchAsync($"/api/tenants/{tenant}", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, message);
        var keys = await HttpAssert.Ok(await http.GetAsync($"/api/tenants/{tenant}/keys"));
        Assert.Equal(1, keys.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task With_rotation_on_a_replayed_refresh_answers_the_same_successor_claims()
    {
        var tenant = await NewTenantAsync("ES256");
        using (var admin = GatewayFixture.Client(fixture.Api, await BossAccessAsync(tenant), tenant))
            await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { refreshTokenRotation = true })));
        var login = await BossLoginAsync(tenant);
        using var http = GatewayFixture.Client(fixture.Api, login.GetProperty("refreshToken").GetString(), tenant);
        var first = await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null));
        var again = await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null));
        var a = first.GetProperty("refreshToken").GetString()!.Split('.');
        var b = again.GetProperty("refreshToken").GetString()!.Split('.');
        // ECDSA signatures are randomized: same header and claims (the same jti), a new signature.
        Assert.Equal((a[0], a[1]), (b[0], b[1]));
        using var next = GatewayFixture.Client(fixture.Api, again.GetProperty("refreshToken").GetString(), tenant);
        await HttpAssert.Ok(await next.PostAsync("/api/users/refresh", null));
    }
}
