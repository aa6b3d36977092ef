using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Sessions;

/// <summary>Tenant settings through HTTP, and refresh rotation as a client sees it (own cluster: it changes settings).</summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class RotationApiTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;
    private ApiFactory _api = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(silos: 2);
        _api = new ApiFactory(_cluster.Client);
        var login = await LoginAsync("admin", TestSettings.AdminPassword);
        _admin = Client(login.GetProperty("accessToken").GetString());
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _api.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    private HttpClient Client(string? token = null)
    {
        var http = _api.CreateClient();
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private async Task<JsonElement> LoginAsync(string username, string password)
    {
        using var http = Client();
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    private async Task<JsonElement> UserLoginAsync(string name)
    {
        await HttpAssert.Ok(await _admin.PostAsJsonAsync("/api/users", new { username = name, password = "Long-enough-pw-1" }), HttpStatusCode.Created);
        return await LoginAsync(name, "Long-enough-pw-1");
    }

    private Task<HttpResponseMessage> PatchTenantAsync(object body) => _admin.PatchAsync("/api/tenants/default", JsonContent.Create(body));

    private async Task<HttpResponseMessage> RefreshAsync(string refreshToken)
    {
        using var http = Client(refreshToken);
        return await http.PostAsync("/api/users/refresh", null);
    }

    [Fact]
    public async Task Admins_read_their_tenant_with_the_contract_defaults()
    {
        var tenant = await HttpAssert.Ok(await _admin.GetAsync("/api/tenants/default"));
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
        var response = await _admin.PatchAsync("/api/tenants/default", new StringContent(json, Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(response, HttpStatusCode.BadRequest, msg);
        var settings = (await HttpAssert.Ok(await _admin.GetAsync("/api/tenants/default"))).GetProperty("settings");
        Assert.Equal(30, settings.GetProperty("refreshReuseGraceSeconds").GetInt32());
        Assert.Equal(200, settings.GetProperty("maxSessionsPerUser").GetInt32());
    }

    [Fact]
    public async Task Unknown_tenants_are_404_the_operator_tenant_stays_enabled_and_non_admins_are_403()
    {
        await HttpAssert.Problem(await _admin.GetAsync("/api/tenants/acme"), HttpStatusCode.NotFound, "Unknown tenant");
        await HttpAssert.Problem(await _admin.PatchAsync("/api/tenants/acme", JsonContent.Create(new { maxSessionsPerUser = 5 })), HttpStatusCode.NotFound);
        await HttpAssert.Problem(await PatchTenantAsync(new { disabled = true }), HttpStatusCode.Conflict, "The operator tenant cannot be disabled");
        await HttpAssert.Problem(await _admin.DeleteAsync("/api/tenants/default"), HttpStatusCode.Conflict, "The operator tenant cannot be disabled");

        var user = await UserLoginAsync("plain-tenant-reader");
        using var http = Client(user.GetProperty("accessToken").GetString());
        await HttpAssert.Problem(await http.GetAsync("/api/tenants/default"), HttpStatusCode.Forbidden, "Admin rights required");
    }

    [Fact]
    public async Task With_rotation_on_each_refresh_answers_the_next_token_and_spends_the_old_one()
    {
        var updated = await HttpAssert.Ok(await PatchTenantAsync(new { refreshTokenRotation = true }));
        Assert.True(updated.GetProperty("settings").GetProperty("refreshTokenRotation").GetBoolean());
        var login = await UserLoginAsync("rot-http");
        var t0 = login.GetProperty("refreshToken").GetString()!;

        // The setting applies to the very next request.
        var r1 = await HttpAssert.Ok(await RefreshAsync(t0));
        var t1 = r1.GetProperty("refreshToken").GetString()!;
        Assert.NotEqual(t0, t1);
        Assert.Equal(login.GetProperty("refreshExpiryDate").GetString(), r1.GetProperty("refreshExpiryDate").GetString());

        // A client that lost the answer retries with t0: the same answer, byte for byte.
        var replay = await HttpAssert.Ok(await RefreshAsync(t0));
        Assert.Equal(r1.GetRawText(), replay.GetRawText());

        var r2 = await HttpAssert.Ok(await RefreshAsync(t1));
        var t2 = r2.GetProperty("refreshToken").GetString()!;

        // t0 again: spent and not the previous one any more. Theft: the whole session ends.
        await HttpAssert.InvalidToken(await RefreshAsync(t0), "Token has been revoked");
        await HttpAssert.InvalidToken(await RefreshAsync(t2), "Token has been revoked");
        using var me = Client(r2.GetProperty("accessToken").GetString());
        await HttpAssert.InvalidToken(await me.GetAsync("/api/users/me"), "Token has been revoked");

        await HttpAssert.Ok(await PatchTenantAsync(new { refreshTokenRotation = false }));
    }

    [Fact]
    public async Task Concurrent_refreshes_through_HTTP_get_one_identical_answer()
    {
        await HttpAssert.Ok(await PatchTenantAsync(new { refreshTokenRotation = true }));
        var login = await UserLoginAsync("rot-http-race");
        var t0 = login.GetProperty("refreshToken").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RefreshAsync(t0)));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(bodies.Distinct());

        await HttpAssert.Ok(await PatchTenantAsync(new { refreshTokenRotation = false }));
    }
}
