using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Users;

/// <summary>
/// Rules that depend on the whole tenant (the last admin) and on time (revocation latency):
/// each test gets its own cluster and an API whose clock the test moves.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class AdminRulesTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;
    private ApiFactory _api = null!;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(silos: 1);
        _api = new ApiFactory(_cluster.Client, _time);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    private HttpClient Client(string? token = null)
    {
        var http = _api.CreateClient();
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private async Task<System.Text.Json.JsonElement> LoginAsync(string username, string password)
    {
        using var http = Client();
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_demoted_deactivated_or_deleted()
    {
        var admin = await LoginAsync("admin", TestSettings.AdminPassword);
        using var http = Client(admin.GetProperty("accessToken").GetString());
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
        var second = await LoginAsync("second-admin", "Long-enough-pw-1");
        using var secondHttp = Client(second.GetProperty("accessToken").GetString());
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
