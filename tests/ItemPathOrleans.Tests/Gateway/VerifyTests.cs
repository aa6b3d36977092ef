using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary><c>GET /api/auth/verify</c>: the full validation for a reverse proxy, answered from the revocation cache.</summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class VerifyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static string Access(System.Text.Json.JsonElement login) => login.GetProperty("accessToken").GetString()!;

    [Fact]
    public async Task A_valid_access_token_is_named_in_the_body_and_in_X_Auth_headers()
    {
        var login = await fixture.NewUserAsync("vf-ok");
        using var http = GatewayFixture.Client(fixture.Api, Access(login));
        var response = await http.GetAsync("/api/auth/verify");
        var body = await HttpAssert.Ok(response);

        var sid = JwtClaims.Claim(Access(login), "sid");
        Assert.Equal("default", body.GetProperty("tenant").GetString());
        Assert.Equal(login.GetProperty("id").GetInt32(), body.GetProperty("userId").GetInt32());
        Assert.Equal(login.GetProperty("username").GetString(), body.GetProperty("username").GetString());
        Assert.Equal("access", body.GetProperty("type").GetString());
        Assert.False(body.GetProperty("isAdmin").GetBoolean());
        Assert.Equal(sid, body.GetProperty("sessionId").GetString());

        Assert.Equal("default", Header(response, "X-Auth-Tenant"));
        Assert.Equal(login.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-Auth-User-Id"));
        Assert.Equal(login.GetProperty("username").GetString(), Header(response, "X-Auth-Username"));
        Assert.Equal("access", Header(response, "X-Auth-Type"));
        Assert.Equal("false", Header(response, "X-Auth-Is-Admin"));
        Assert.Equal(sid, Header(response, "X-Auth-Session-Id"));
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task An_application_token_and_an_admin_are_named_as_such()
    {
        var robot = await fixture.NewUserAsync("vf-robot", type: "application", isAdmin: true);
        using var refresh = GatewayFixture.Client(fixture.Api, robot.GetProperty("refreshToken").GetString());
        var app = await HttpAssert.Ok(await refresh.PostAsync("/api/users/application-token", null));

        using var http = GatewayFixture.Client(fixture.Api, app.GetProperty("token").GetString());
        var response = await http.GetAsync("/api/auth/verify");
        var body = await HttpAssert.Ok(response);
        Assert.Equal("application", body.GetProperty("type").GetString());
        Assert.True(body.GetProperty("isAdmin").GetBoolean());
        Assert.Equal(app.GetProperty("id").GetString(), body.GetProperty("sessionId").GetString());
        Assert.Equal("application", Header(response, "X-Auth-Type"));
        Assert.Equal("true", Header(response, "X-Auth-Is-Admin"));
    }

    [Fact]
    public async Task A_username_outside_ASCII_is_percent_encoded_in_its_header()
    {
        var name = "zoë-" + Guid.NewGuid().ToString("N")[..8];
        using (var admin = GatewayFixture.Client(fixture.Api, fixture.AdminToken))
            await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = name, password = GatewayFixture.Password }), HttpStatusCode.Created);
        var login = await GatewayFixture.LoginAsync(fixture.Api, name, GatewayFixture.Password);
        using var http = GatewayFixture.Client(fixture.Api, Access(login));
        var response = await http.GetAsync("/api/auth/verify");
        var body = await HttpAssert.Ok(response);
        Assert.Equal(name, body.GetProperty("username").GetString());
        Assert.Equal(Uri.EscapeDataString(name), Header(response, "X-Auth-Username"));
        Assert.Equal(name, Uri.UnescapeDataString(Header(response, "X-Auth-Username")));
    }

    [Fact]
    public async Task No_token_is_401_with_a_bare_challenge()
    {
        using var http = GatewayFixture.Client(fixture.Api);
        var response = await http.GetAsync("/api/auth/verify");
        await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, "Missing Authorization Header");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.False(response.Headers.Contains("X-Auth-User-Id"));
    }

    [Fact]
    public async Task A_refresh_token_is_refused()
    {
        var login = await fixture.NewUserAsync("vf-refresh");
        using var http = GatewayFixture.Client(fixture.Api, login.GetProperty("refreshToken").GetString());
        var response = await http.GetAsync("/api/auth/verify");
        await HttpAssert.InvalidToken(response, "Only non-refresh tokens are allowed");
        Assert.False(response.Headers.Contains("X-Auth-User-Id"));
    }

    [Fact]
    public async Task An_expired_token_is_refused_once_the_clock_passes_its_exp()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = fixture.Node(time: time);
        var login = await GatewayFixture.LoginAsync(node, "admin", TestSettings.AdminPassword);
        using var http = GatewayFixture.Client(node, Access(login));
        await HttpAssert.Ok(await http.GetAsync("/api/auth/verify"));

        // Past its exp and the 30 s of allowed skew.
        var exp = long.Parse(JwtClaims.Claim(Access(login), "exp"), System.Globalization.CultureInfo.InvariantCulture);
        time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(exp + 31));
        await HttpAssert.InvalidToken(await http.GetAsync("/api/auth/verify"), "Token has expired");
    }

    [Fact]
    public async Task A_session_revoked_elsewhere_is_refused_within_the_revocation_latency_and_no_grain_is_asked_before()
    {
        var login = await fixture.NewUserAsync("vf-revoked");
        var access = Access(login);
        var sid = JwtClaims.Claim(access, "sid");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var calls = 0;
        var counting = DispatchProxy.Create<IGrainFactory, GrainCallCounter.Decorator>();
        ((GrainCallCounter.Decorator)(object)counting).Init(fixture.Cluster.Client, r => r, (_, _) => Interlocked.Increment(ref calls));
        await using var node = fixture.Node(time: time).WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IGrainFactory>(counting)));

        using var http = node.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", access);
        await HttpAssert.Ok(await http.GetAsync("/api/auth/verify"));
        var afterFirst = calls;

        // Revoked by another node (straight at the user grain): this node learns it when its cached answer ends.
        var user = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.User("default", login.GetProperty("id").GetInt32()));
        Assert.True(await user.RevokeSession(sid, "test"));

        // Within the latency the node answers from its cache, without a single grain call.
        for (var i = 0; i < 5; i++) await HttpAssert.Ok(await http.GetAsync("/api/auth/verify"));
        Assert.Equal(afterFirst, calls);

        time.Advance(TimeSpan.FromSeconds(5));
        await HttpAssert.InvalidToken(await http.GetAsync("/api/auth/verify"), "Token has been revoked");
    }

    [Fact]
    public async Task A_logout_through_this_node_is_refused_at_once()
    {
        var login = await fixture.NewUserAsync("vf-logout");
        using var http = GatewayFixture.Client(fixture.Api, Access(login));
        await HttpAssert.Ok(await http.GetAsync("/api/auth/verify"));
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/users/logout", null)).StatusCode);
        await HttpAssert.InvalidToken(await http.GetAsync("/api/auth/verify"), "Token has been revoked");
    }

    [Fact]
    public async Task A_token_is_refused_in_another_tenant()
    {
        var tenant = $"vf-{Guid.NewGuid():N}"[..12];
        using (var op = GatewayFixture.Client(fixture.Api, fixture.AdminToken))
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = "Verify", adminUsername = "boss", adminPassword = GatewayFixture.Password }), HttpStatusCode.Created);
        var other = await GatewayFixture.LoginAsync(fixture.Api, "boss", GatewayFixture.Password, tenant);

        // The default tenant's token at the other tenant, and the other tenant's token at default.
        using (var http = GatewayFixture.Client(fixture.Api, fixture.AdminToken, tenant))
        {
            var response = await http.GetAsync("/api/auth/verify");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
            Assert.False(response.Headers.Contains("X-Auth-Tenant"));
        }
        using (var http = GatewayFixture.Client(fixture.Api, Access(other)))
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/auth/verify")).StatusCode);
        using (var http = GatewayFixture.Client(fixture.Api, Access(other), tenant))
            Assert.Equal(tenant, (await HttpAssert.Ok(await http.GetAsync("/api/auth/verify"))).GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task HEAD_answers_like_GET_without_a_body()
    {
        var login = await fixture.NewUserAsync("vf-head");
        using var http = GatewayFixture.Client(fixture.Api, Access(login));
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/auth/verify"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(login.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response, "X-Auth-User-Id"));
    }

    private static string Header(HttpResponseMessage response, string name) => Assert.Single(response.Headers.GetValues(name));
}
