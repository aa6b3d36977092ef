using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Users;

/// <summary>
/// Rules that depend on the whole tenant (the last admin) and on time (revocation latency). One
/// cluster and API for the class, on a clock the tests move; the last-admin test works in a tenant
/// of its own, whose only admin is the one it made.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class AdminRulesTests(AdminRulesTests.Service service) : IClassFixture<AdminRulesTests.Service>
{
    private const string TenantAdminPassword = "Tenant-admin-pw-1";
    private readonly ApiFactory _api = service.Api;
    private readonly FakeTimeProvider _time = service.Time;

    /// <summary>The class's cluster, and an API node on a clock the tests move.</summary>
    public sealed class Service : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
        public InProcessTestCluster Cluster { get; private set; } = null!;
        public ApiFactory Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await TestClusters.StartAsync(silos: 1);
            Api = new ApiFactory(Cluster.Client, Time);
        }

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    private HttpClient Client(string? token = null, string? tenant = null)
    {
        var http = _api.CreateClient();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private async Task<System.Text.Json.JsonElement> LoginAsync(string username, string password, string? tenant = null)
    {
        using var http = Client(tenant: tenant);
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    /// <summary>A new tenant (its one admin is <c>boss</c>), made by the operator admin.</summary>
    private async Task<string> NewTenantAsync(string prefix)
    {
        var tenant = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var op = await LoginAsync("admin", TestSettings.AdminPassword);
        using var http = Client(op.GetProperty("accessToken").GetString());
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/tenants",
            new { id = tenant, name = $"Tenant {tenant}", adminUsername = "boss", adminPassword = TenantAdminPassword }), HttpStatusCode.Created);
        return tenant;
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_demoted_deactivated_or_deleted()
    {
        var tenant = await NewTenantAsync("last");
        var admin = await LoginAsync("boss", TenantAdminPassword, tenant);
        using var http = Client(admin.GetProperty("accessToken").GetString(), tenant);
        var id = admin.GetProperty("id").GetInt32();

        await HttpAssert.Problem(await http.PatchAsync($"/api/users/{id}", JsonContent.Create(new { isAdmin = false })), HttpStatusCode.Conflict);
        await HttpAssert.Problem(await http.PatchAsync($"/api/users/{id}", JsonContent.Create(new { status = 2 })), HttpStatusCode.Conflict);
        await HttpAssert.Problem(await http.DeleteAsync($"/api/users/{id}"), HttpStatusCode.Conflict);
        Assert.True((await HttpAssert.Ok(await http.GetAsync($"/api/users/{id}"))).GetProperty("isAdmin").GetBoolean());

        // With a second admin, the first can step down.
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = "second-admin", password = "Long-enough-pw-1", isAdmin = true }), HttpStatusCode.Created);
        var demoted = await HttpAssert.Ok(await http.PatchAsync($"/api/users/{id}", JsonContent.Create(new { isAdmin = false })));
        Assert.False(demoted.GetProperty("isAdmin").GetBoolean());

        // And now the second one is the last.
        var second = await LoginAsync("second-admin", "Long-enough-pw-1", tenant);
        using var secondHttp = Client(second.GetProperty("accessToken").GetString(), tenant);
        await HttpAssert.Problem(await secondHttp.DeleteAsync($"/api/users/{second.GetProperty("id").GetInt32()}"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Deactivating_a_user_stops_its_tokens_within_the_revocation_latency()
    {
        var admin = await LoginAsync("admin", TestSettings.AdminPassword);
        using var adminHttp = Client(admin.GetProperty("accessToken").GetString());
        var created = await HttpAssert.Ok(await adminHttp.PostAsJsonAsync("/api/users", new { username = "leaver", password = "Long-enough-pw-1" }), HttpStatusCode.Created);
        var login = await LoginAsync("leaver", "Long-enough-pw-1");
        using var user = Client(login.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/users/me")).StatusCode);

        await HttpAssert.Ok(await adminHttp.PatchAsync($"/api/users/{created.GetProperty("id").GetInt32()}", JsonContent.Create(new { status = 2 })));
        _time.Advance(TimeSpan.FromSeconds(5));

        await HttpAssert.InvalidToken(await user.GetAsync("/api/users/me"), "User is not active");
        using var refresh = Client(login.GetProperty("refreshToken").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await refresh.PostAsync("/api/users/refresh", null)).StatusCode);
    }

    [Fact]
    public async Task Application_tokens_are_capped_per_user()
    {
        var admin = await LoginAsync("admin", TestSettings.AdminPassword);
        using var adminHttp = Client(admin.GetProperty("accessToken").GetString());
        await HttpAssert.Ok(await adminHttp.PostAsJsonAsync("/api/users", new { username = "busy-robot", password = "Long-enough-pw-1", type = "application" }), HttpStatusCode.Created);
        var robot = await LoginAsync("busy-robot", "Long-enough-pw-1");
        using var http = Client(robot.GetProperty("refreshToken").GetString());

        for (var i = 0; i < 100; i++)
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/users/application-token", null)).StatusCode);
        await HttpAssert.Problem(await http.PostAsync("/api/users/application-token", null), HttpStatusCode.Conflict);
    }
}
