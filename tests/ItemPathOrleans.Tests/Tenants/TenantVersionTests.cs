using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Tenants;

/// <summary>
/// Settings changed before a request started apply to it, on a silo whose copy of the tenant is
/// older: the silo's clock is a FakeTimeProvider that never moves while the requests run, so its
/// tenant cache never ages on its own, and only the version the request carries makes it refresh.
/// Own one-silo cluster (the one silo's copy is loaded by the admin's login before the change).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TenantVersionTests : IAsyncLifetime
{
    private const string Password = "Version-Pass-Word-6";
    private readonly FakeTimeProvider _clusterTime = new(DateTimeOffset.UtcNow);
    private InProcessTestCluster _cluster = null!;
    private ApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(silos: 1, time: _clusterTime);
        _api = new ApiFactory(_cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await TestClusters.DisposeAsync(_cluster, _clusterTime);
    }

    private HttpClient Client(string bearer)
    {
        var http = _api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return http;
    }

    private async Task<string> LoginAsync(string username, string password, string token)
    {
        using var http = _api.CreateClient();
        return (await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }))).GetProperty(token).GetString()!;
    }

    [Fact]
    public async Task A_settings_change_answered_before_a_login_and_a_refresh_applies_to_them_on_a_silo_with_an_older_copy()
    {
        // The admin's login loads the tenant (rotation off) into the silo's cache.
        using var admin = Client(await LoginAsync("admin", TestSettings.AdminPassword, "accessToken"));
        var username = ServiceFixture.UniqueName("version");
        await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username, password = Password }), HttpStatusCode.Created);

        var changed = await HttpAssert.Ok(await admin.PatchAsync("/api/tenants/default",
            JsonContent.Create(new { refreshTokenRotation = true, refreshTokenLifetimeSeconds = 3600 })));
        Assert.True(changed.GetProperty("settings").GetProperty("refreshTokenRotation").GetBoolean());

        // The login (through the authentication grain to the user grain) opens its session with the new lifetime.
        var refresh = await LoginAsync(username, Password, "refreshToken");
        Assert.Equal(3600, long.Parse(JwtClaims.Claim(refresh, "exp")) - long.Parse(JwtClaims.Claim(refresh, "iat")));

        // The refresh rotates: the next refresh token comes back.
        using var http = Client(refresh);
        var rotated = await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null));
        Assert.True(rotated.TryGetProperty("refreshToken", out var next), $"rotation is on, yet the refresh answered {rotated}");
        Assert.NotEqual(refresh, next.GetString());
    }
}
