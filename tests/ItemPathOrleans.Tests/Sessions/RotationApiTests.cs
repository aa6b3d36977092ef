using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Sessions;

/// <summary>
/// Tenant settings through HTTP, and refresh rotation as a client sees it. One cluster for the
/// class: the default tenant keeps its settings (the defaults test reads them), and each test that
/// turns rotation on does it in a tenant of its own.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class RotationApiTests(RotationApiTests.Service service) : IClassFixture<RotationApiTests.Service>
{
    private const string TenantAdminPassword = "Tenant-admin-pw-1";
    private const string UserPassword = "Long-enough-pw-1";

    /// <summary>The class's cluster and API node, and the operator admin's token.</summary>
    public sealed class Service : IAsyncLifetime
    {
        public InProcessTestCluster Cluster { get; private set; } = null!;
        public ApiFactory Api { get; private set; } = null!;
        public string AdminToken { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await TestClusters.StartAsync(silos: 2);
            Api = new ApiFactory(Cluster.Client);
            using var http = Api.CreateClient();
            var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
            AdminToken = login.GetProperty("accessToken").GetString()!;
        }

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    private HttpClient Client(string? token = null, string? tenant = null)
    {
        var http = service.Api.CreateClient();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>The operator tenant's admin (tenant <c>default</c>).</summary>
    private HttpClient Admin() => Client(service.AdminToken);

    private async Task<JsonElement> LoginAsync(string username, string password, string? tenant = null)
    {
        using var http = Client(tenant: tenant);
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    /// <summary>A new tenant with rotation on, and a client for its admin.</summary>
    private async Task<(string Tenant, HttpClient Admin)> RotatingTenantAsync(string prefix)
    {
        var tenant = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        using (var op = Admin())
        {
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants",
                new { id = tenant, name = $"Tenant {tenant}", adminUsername = "boss", adminPassword = TenantAdminPassword }), HttpStatusCode.Created);
        }
        var admin = Client(Access(await LoginAsync("boss", TenantAdminPassword, tenant)), tenant);
        var updated = await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { refreshTokenRotation = true })));
        Assert.True(updated.GetProperty("settings").GetProperty("refreshTokenRotation").GetBoolean());
        return (tenant, admin);
    }

    private async Task<JsonElement> UserLoginAsync(HttpClient admin, string name, string? tenant = null)
    {
        await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = name, password = UserPassword }), HttpStatusCode.Created);
        return await LoginAsync(name, UserPassword, tenant);
    }

    private static string Access(JsonElement login) => login.GetProperty("accessToken").GetString()!;

    private async Task<HttpResponseMessage> RefreshAsync(string refreshToken, string tenant)
    {
        using var http = Client(refreshToken, tenant);
        return await http.PostAsync("/api/users/refresh", null);
    }

    [Fact]
    public async Task Admins_read_their_tenant_with_the_contract_defaults()
    {
        using var admin = Admin();
        var tenant = await HttpAssert.Ok(await admin.GetAsync("/api/tenants/default"));
        Assert.Equal("default", tenant.GetProperty("id").GetString());
        Assert.False(tenant.GetProperty("disabled").GetBoolean());
        var s = tenant.GetProperty("settings");
        Assert.Equal(900, s.GetProperty("accessTokenLifetimeSeconds").GetInt32());
        Assert.Equal(2_592_000, s.GetProperty("refreshTokenLifetimeSeconds").GetInt32());
        Assert.False(s.GetProperty("refreshTokenRotation").GetBoolean());
        Assert.Equal(30, s.GetProperty("refreshReuseGraceSeconds").GetInt32());
        Assert.Equal(200, s.GetProperty("maxSessionsPerUser").GetInt32());
        Assert.Equal(100, s.GetProperty("maxApplicationTokensPerUser").GetInt32());
        Assert.Equal(5, s.GetProperty("revocationLatencySeconds").GetInt32());
    }

    [Theory]
    [InlineData("""{"refreshReuseGraceSeconds": 301}""", "refreshReuseGraceSeconds must be between 0 and 300")]
    [InlineData("""{"maxSessionsPerUser": 0}""", "maxSessionsPerUser must be between 1 and 10000")]
    [InlineData("""{"accessTokenLifetimeSeconds": 59}""", "accessTokenLifetimeSeconds must be between 60 and 86400")]
    [InlineData("""{"refreshTokenRotation": "yes"}""", "Field 'refreshTokenRotation' must be a boolean")]
    [InlineData("""{"revocationLatencySeconds": 1.5}""", "Field 'revocationLatencySeconds' must be an integer")]
    public async Task Out_of_range_settings_are_400_naming_the_field_and_change_nothing(string json, string msg)
    {
        using var admin = Admin();
        var response = await admin.PatchAsync("/api/tenants/default", new StringContent(json, Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(response, HttpStatusCode.BadRequest, msg);
        var settings = (await HttpAssert.Ok(await admin.GetAsync("/api/tenants/default"))).GetProperty("settings");
        Assert.Equal(30, settings.GetProperty("refreshReuseGraceSeconds").GetInt32());
        Assert.Equal(200, settings.GetProperty("maxSessionsPerUser").GetInt32());
    }

    [Fact]
    public async Task Unknown_tenants_are_404_the_operator_tenant_stays_enabled_and_non_admins_are_403()
    {
        using var admin = Admin();
        await HttpAssert.Problem(await admin.GetAsync("/api/tenants/acme"), HttpStatusCode.NotFound, "Unknown tenant");
        await HttpAssert.Problem(await admin.PatchAsync("/api/tenants/acme", JsonContent.Create(new { maxSessionsPerUser = 5 })), HttpStatusCode.NotFound);
        await HttpAssert.Problem(await admin.PatchAsync("/api/tenants/default", JsonContent.Create(new { disabled = true })), HttpStatusCode.Conflict, "The operator tenant cannot be disabled");
        await HttpAssert.Problem(await admin.DeleteAsync("/api/tenants/default"), HttpStatusCode.Conflict, "The operator tenant cannot be disabled");

        var user = await UserLoginAsync(admin, "plain-tenant-reader");
        using var http = Client(Access(user));
        await HttpAssert.Problem(await http.GetAsync("/api/tenants/default"), HttpStatusCode.Forbidden, "Admin rights required");
    }

    [Fact]
    public async Task With_rotation_on_each_refresh_answers_the_next_token_and_spends_the_old_one()
    {
        var (tenant, admin) = await RotatingTenantAsync("rot");
        using var _ = admin;
        var login = await UserLoginAsync(admin, "rot-http", tenant);
        var t0 = login.GetProperty("refreshToken").GetString()!;

        // The setting applies to the very next request.
        var r1 = await HttpAssert.Ok(await RefreshAsync(t0, tenant));
        var t1 = r1.GetProperty("refreshToken").GetString()!;
        Assert.NotEqual(t0, t1);
        Assert.Equal(login.GetProperty("refreshExpiryDate").GetString(), r1.GetProperty("refreshExpiryDate").GetString());

        // A client that lost the answer retries with t0: the same answer, byte for byte.
        var replay = await HttpAssert.Ok(await RefreshAsync(t0, tenant));
        Assert.Equal(r1.GetRawText(), replay.GetRawText());

        var r2 = await HttpAssert.Ok(await RefreshAsync(t1, tenant));
        var t2 = r2.GetProperty("refreshToken").GetString()!;

        // t0 again: spent and not the previous one any more. Theft: the whole session ends.
        await HttpAssert.InvalidToken(await RefreshAsync(t0, tenant), "Token has been revoked");
        await HttpAssert.InvalidToken(await RefreshAsync(t2, tenant), "Token has been revoked");
        using var me = Client(Access(r2), tenant);
        await HttpAssert.InvalidToken(await me.GetAsync("/api/users/me"), "Token has been revoked");
    }

    [Fact]
    public async Task Concurrent_refreshes_through_HTTP_get_one_identical_answer()
    {
        var (tenant, admin) = await RotatingTenantAsync("race");
        using var _ = admin;
        var login = await UserLoginAsync(admin, "rot-http-race", tenant);
        var t0 = login.GetProperty("refreshToken").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RefreshAsync(t0, tenant)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies.Distinct());
    }
}
