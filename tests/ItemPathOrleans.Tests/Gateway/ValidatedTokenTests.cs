using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>
/// A token this node has verified is not parsed nor its signature computed again, and nothing else
/// of its validation is skipped: its lifetime, its tenant and that tenant's key ring now, its type
/// for the endpoint and its session are decided on every request; the memory stays bounded.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class ValidatedTokenTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static string Access(JsonElement login) => login.GetProperty("accessToken").GetString()!;

    private static ValidatedTokens Remembered(ApiFactory node) => node.Services.GetRequiredService<ValidatedTokens>();

    private async Task<string> NewTenantAsync()
    {
        var tenant = $"vt-{Guid.NewGuid():N}"[..12];
        using var op = GatewayFixture.Client(fixture.Api, fixture.AdminToken);
        await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = "Remembered", adminUsername = "boss", adminPassword = GatewayFixture.Password }), HttpStatusCode.Created);
        return tenant;
    }

    private static async Task<HttpResponseMessage> VerifyAsync(ApiFactory node, string token, string? tenant = null)
    {
        using var http = GatewayFixture.Client(node, token, tenant);
        return await http.GetAsync("/api/auth/verify");
    }

    [Fact]
    public async Task A_verified_token_is_remembered_and_still_answers_as_before()
    {
        await using var node = fixture.Node();
        var login = await fixture.NewUserAsync("vt-again");
        var first = await HttpAssert.Ok(await VerifyAsync(node, Access(login)));
        Assert.Equal(1, Remembered(node).Count);

        var again = await HttpAssert.Ok(await VerifyAsync(node, Access(login)));
        Assert.Equal(first.ToString(), again.ToString());
        Assert.Equal(1, Remembered(node).Count);
        using var me = GatewayFixture.Client(node, Access(login));
        Assert.Equal(login.GetProperty("id").GetInt32(), (await HttpAssert.Ok(await me.GetAsync("/api/users/me"))).GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_retired_key_stops_a_remembered_token_at_once_on_that_node()
    {
        var tenant = await NewTenantAsync();
        await using var node = fixture.Node();
        var before = Access(await GatewayFixture.LoginAsync(node, "boss", GatewayFixture.Password, tenant));
        await HttpAssert.Ok(await VerifyAsync(node, before, tenant));

        using (var admin = GatewayFixture.Client(node, before, tenant))
            Assert.Equal("k2", (await HttpAssert.Ok(await admin.PostAsync($"/api/tenants/{tenant}/keys/rotate", null))).GetProperty("kid").GetString());
        // Still valid under the rotated ring (k1 keeps validating), and remembered again under it.
        await HttpAssert.Ok(await VerifyAsync(node, before, tenant));
        var after = Access(await GatewayFixture.LoginAsync(node, "boss", GatewayFixture.Password, tenant));

        using (var admin = GatewayFixture.Client(node, after, tenant))
            await HttpAssert.Ok(await admin.PostAsync($"/api/tenants/{tenant}/keys/k1/retire", null));
        await HttpAssert.InvalidToken(await VerifyAsync(node, before, tenant), "Token has been revoked");
        await HttpAssert.Ok(await VerifyAsync(node, after, tenant));
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_the_clock_passes_its_exp()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = fixture.Node(time: time);
        var login = await GatewayFixture.LoginAsync(node, "admin", TestSettings.AdminPassword);
        var exp = new JsonWebToken(Access(login)).ValidTo;
        await HttpAssert.Ok(await VerifyAsync(node, Access(login)));
        Assert.Equal(1, Remembered(node).Count);

        // Within the 30 s of allowed skew it still counts; past them it has expired.
        time.SetUtcNow(new DateTimeOffset(exp).AddSeconds(29));
        await HttpAssert.Ok(await VerifyAsync(node, Access(login)));
        time.SetUtcNow(new DateTimeOffset(exp).AddSeconds(31));
        await HttpAssert.InvalidToken(await VerifyAsync(node, Access(login)), "Token has expired");
        using var proxied = GatewayFixture.Client(node, Access(login));
        await HttpAssert.InvalidToken(await proxied.GetAsync("/api/users/me"), "Token has expired");
    }

    [Fact]
    public async Task A_remembered_token_is_refused_in_another_tenant()
    {
        var tenant = await NewTenantAsync();
        await using var node = fixture.Node();
        var other = Access(await GatewayFixture.LoginAsync(node, "boss", GatewayFixture.Password, tenant));
        await HttpAssert.Ok(await VerifyAsync(node, other, tenant));

        var elsewhere = await VerifyAsync(node, other);
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        Assert.Contains("invalid_token", elsewhere.Headers.WwwAuthenticate.ToString());
        Assert.False(elsewhere.Headers.Contains("X-Auth-Tenant"));
        // Through the gateway's route too: no X-Auth-* for another tenant's token.
        await using var gateway = fixture.Node(GatewayFixture.GatewaySettings(fixture.Upstream.Url));
        await HttpAssert.Ok(await VerifyAsync(gateway, other, tenant));
        using var proxied = GatewayFixture.Client(gateway, other);
        Assert.Equal(HttpStatusCode.Unauthorized, (await proxied.GetAsync("/api/stations/1")).StatusCode);
        // And in its own tenant it still passes.
        await HttpAssert.Ok(await VerifyAsync(node, other, tenant));
    }

    [Fact]
    public async Task A_refresh_token_never_passes_as_an_access_token_even_when_remembered()
    {
        await using var node = fixture.Node();
        var login = await fixture.NewUserAsync("vt-refresh");
        var refresh = login.GetProperty("refreshToken").GetString()!;
        await HttpAssert.InvalidToken(await VerifyAsync(node, refresh), "Only non-refresh tokens are allowed");
        Assert.Equal(0, Remembered(node).Count);

        // Even if it were remembered (as the scheme that takes either kind, logout's, may), the type is checked on every request.
        var jwt = new JsonWebToken(refresh);
        var tenant = await node.Services.GetRequiredService<TenantCache>().FindAsync("default");
        Remembered(node).Add(refresh, jwt, TokenFacts.Of(jwt), [.. jwt.Claims], new Microsoft.IdentityModel.Tokens.CaseSensitiveClaimsIdentity(jwt.Claims, "AuthenticationTypes.Federation"), tenant!);
        Assert.Equal(1, Remembered(node).Count);
        await HttpAssert.InvalidToken(await VerifyAsync(node, refresh), "Only non-refresh tokens are allowed");
        using var me = GatewayFixture.Client(node, refresh);
        await HttpAssert.InvalidToken(await me.GetAsync("/api/users/me"), "Only non-refresh tokens are allowed");
    }

    [Fact]
    public async Task A_remembered_token_of_a_revoked_session_is_refused()
    {
        await using var node = fixture.Node();
        var login = await fixture.NewUserAsync("vt-logout");
        await HttpAssert.Ok(await VerifyAsync(node, Access(login)));
        using (var http = GatewayFixture.Client(node, Access(login)))
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/users/logout", null)).StatusCode);
        await HttpAssert.InvalidToken(await VerifyAsync(node, Access(login)), "Token has been revoked");
    }

    [Fact]
    public async Task The_memory_stays_bounded_and_only_verified_tokens_get_in()
    {
        await using var node = fixture.Node(new Dictionary<string, string?> { ["ValidatedTokens:MaxEntries"] = "3" });
        var name = ServiceFixture.UniqueName("vt-many");
        using (var admin = GatewayFixture.Client(fixture.Api, fixture.AdminToken))
            await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = name, password = GatewayFixture.Password }), HttpStatusCode.Created);
        for (var i = 0; i < 8; i++)
        {
            var access = Access(await GatewayFixture.LoginAsync(node, name, GatewayFixture.Password));
            await HttpAssert.Ok(await VerifyAsync(node, access));
            await HttpAssert.Ok(await VerifyAsync(node, access));
            Assert.InRange(Remembered(node).Count, 1, 3);
        }

        // Tokens that fail (a forged signature, garbage) never get in.
        await using var fresh = fixture.Node();
        var valid = Access(await fixture.NewUserAsync("vt-garbage"));
        var parts = valid.Split('.');
        for (var i = 0; i < 20; i++)
        {
            var forged = $"{parts[0]}.{parts[1]}.{Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
            Assert.Equal(HttpStatusCode.Unauthorized, (await VerifyAsync(fresh, forged)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await VerifyAsync(fresh, $"garbage-{i}")).StatusCode);
        }
        Assert.Equal(0, Remembered(fresh).Count);
    }

    [Fact]
    public async Task Turned_off_it_remembers_nothing()
    {
        await using var node = fixture.Node(new Dictionary<string, string?> { ["ValidatedTokens:Enabled"] = "false" });
        var login = await fixture.NewUserAsync("vt-off");
        await HttpAssert.Ok(await VerifyAsync(node, Access(login)));
        await HttpAssert.Ok(await VerifyAsync(node, Access(login)));
        Assert.Equal(0, Remembered(node).Count);
    }
}
