using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using static ItemPathOrleans.Tests.OAuth.OAuthFixture;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// Expired tokens through the OAuth endpoints, on a cluster whose clock is a FakeTimeProvider
/// (own cluster: it moves the clock). The cluster's clock starts 20 minutes behind the API's,
/// so its access tokens (900 s) are expired when they reach the API while its refresh tokens
/// (the tenant's lifetime set to 3,600 s) are not; moving the cluster's clock past that lifetime
/// expires the sessions themselves, which only the user grain knows.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class ExpiryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clusterTime = new(DateTimeOffset.UtcNow.AddMinutes(-20));
    private InProcessTestCluster _cluster = null!;
    private ApiFactory _api = null!;
    private string _resourceServer = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync(silos: 1, time: _clusterTime);
        var (_, error) = await _cluster.Client.GetGrain<ITenantGrain>("default").UpdateSettings(new TenantSettingsPatch().Set(s => s.RefreshTokenLifetimeSeconds, 3600));
        Assert.Null(error);
        _api = new ApiFactory(_cluster.Client);
        // Through the registry grain: an admin's access token from this cluster is expired at the API.
        var registry = _cluster.Client.GetGrain<IUserRegistryGrain>(0);
        foreach (var (username, type) in new[] { ("expiry-rs", UserTypes.Application), ("expiry-user", UserTypes.User) })
            Assert.Equal(UserChangeError.None, (await registry.CreateUser("default", new NewUser(username, Password, null, type, false, null, "en", "UTC"))).Error);
        // The application token is made with the login's refresh token, still valid (it lives an hour).
        var robot = await LoginAsync("expiry-rs", Password);
        using var robotHttp = Client(robot.GetProperty("refreshToken").GetString());
        _resourceServer = (await HttpAssert.Ok(await robotHttp.PostAsync("/api/users/application-token", null))).GetProperty("token").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await TestClusters.DisposeAsync(_cluster, _clusterTime);
    }

    private HttpClient Client(string? bearer = null)
    {
        var http = _api.CreateClient();
        if (bearer is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return http;
    }

    private async Task<JsonElement> LoginAsync(string username, string password)
    {
        using var http = Client();
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    private async Task<JsonElement> IntrospectAsync(string token)
    {
        using var http = Client(_resourceServer);
        return await OAuthAssert.Ok(await http.PostAsync("/oauth/introspect", new FormUrlEncodedContent([P("token", token)])));
    }

    [Fact]
    public async Task Expired_access_tokens_and_expired_sessions_are_inactive_and_refuse_to_refresh()
    {
        using var http = Client();
        var tokens = await OAuthAssert.Ok(await http.PostAsync("/oauth/token",
            new FormUrlEncodedContent([P("grant_type", "password"), P("username", "expiry-user"), P("password", Password)])));
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        // Issued 20 minutes ago by the cluster's clock, with 900 s to live: expired.
        var expired = await IntrospectAsync(access);
        Assert.False(expired.GetProperty("active").GetBoolean());
        Assert.Single(expired.EnumerateObject());
        // Its session is not: the refresh token is active and refreshes.
        Assert.True((await IntrospectAsync(refresh)).GetProperty("active").GetBoolean());
        await OAuthAssert.Ok(await http.PostAsync("/oauth/token", new FormUrlEncodedContent([P("grant_type", "refresh_token"), P("refresh_token", refresh)])));
        // Revoking the expired access token does nothing (RFC 7009: 200 all the same): the session goes on.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/oauth/revoke", new FormUrlEncodedContent([P("token", access)]))).StatusCode);
        Assert.True((await IntrospectAsync(refresh)).GetProperty("active").GetBoolean());

        // Past the refresh lifetime the session has ended, though the token's exp has not come by
        // the API's clock: the user grain says so.
        _clusterTime.Advance(TimeSpan.FromMinutes(61));
        Assert.True(long.Parse(JwtClaims.Claim(refresh, "exp")) > DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        Assert.False((await IntrospectAsync(refresh)).GetProperty("active").GetBoolean());
        var refused = await http.PostAsync("/oauth/token", new FormUrlEncodedContent([P("grant_type", "refresh_token"), P("refresh_token", refresh)]));
        await OAuthAssert.Error(refused, HttpStatusCode.BadRequest, "invalid_grant");
    }
}
