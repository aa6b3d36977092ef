using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// Grain state in PostgreSQL outlives the cluster: tokens issued before every silo went away
/// keep working on a new cluster of the same service id. Everything goes through the HTTP API.
/// (itempath_users is shared by every cluster of the test database, keyed by tenant: no list
/// is asserted here.)
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public class RestartTests
{
    private const string AppPassword = "App-User-Pass-77";

    [Fact]
    public Task State_survives_a_full_cluster_restart() => TokensOutliveTheClusterAsync(graceful: true);

    [Fact]
    public Task State_survives_killing_every_silo() => TokensOutliveTheClusterAsync(graceful: false);

    /// <summary>
    /// Before: admin login (keeps its refresh token), an application user created, logged in and
    /// given an application token. Then every silo stops (or is killed), and a new cluster with
    /// the same service id and a new API serve the same tokens.
    /// </summary>
    private static async Task TokensOutliveTheClusterAsync(bool graceful)
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"restart-{Guid.NewGuid():N}";
        var appUsername = ServiceFixture.UniqueName("app");

        string adminAccess, adminRefresh, appToken;
        int appUserId;
        var cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var http = api.CreateClient();

            var admin = await LoginAsync(http, "admin", TestSettings.AdminPassword);
            adminAccess = admin.GetProperty("accessToken").GetString()!;
            adminRefresh = admin.GetProperty("refreshToken").GetString()!;

            var created = await SendAsync(http, HttpMethod.Post, "/api/users", adminAccess,
                JsonContent.Create(new { username = appUsername, password = AppPassword, type = "application" }));
            Assert.Equal(HttpStatusCode.Created, created.Status);
            Assert.Equal("application", created.Body.GetProperty("type").GetString());
            appUserId = created.Body.GetProperty("id").GetInt32();

            var appLogin = await LoginAsync(http, appUsername, AppPassword);
            var issued = await ApplicationTokenAsync(http, appLogin.GetProperty("refreshToken").GetString()!);
            Assert.Equal(HttpStatusCode.OK, issued.Status);
            appToken = issued.Body.GetProperty("token").GetString()!;

            // Sanity before the restart: the application token is accepted.
            var before = await SendAsync(http, HttpMethod.Get, "/api/users/me", appToken);
            Assert.Equal(HttpStatusCode.OK, before.Status);
        }
        finally
        {
            await StopAsync(cluster, graceful);
        }

        cluster = await TestClusters.StartAsync(2, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var http = api.CreateClient();

            // The admin's refresh token from the old cluster still refreshes...
            var refreshed = await SendAsync(http, HttpMethod.Post, "/api/users/refresh", adminRefresh);
            Assert.True(refreshed.Status == HttpStatusCode.OK, $"refresh after restart: {(int)refreshed.Status} {refreshed.Body}");
            var newAccess = refreshed.Body.GetProperty("accessToken").GetString()!;
            Assert.NotEqual(adminAccess, newAccess);

            // ...into an access token that works.
            var adminMe = await SendAsync(http, HttpMethod.Get, "/api/users/me", newAccess);
            Assert.True(adminMe.Status == HttpStatusCode.OK, $"/me with the new access token: {(int)adminMe.Status} {adminMe.Body}");
            Assert.Equal("admin", adminMe.Body.GetProperty("username").GetString());
            Assert.True(adminMe.Body.GetProperty("isAdmin").GetBoolean());

            // The application token from the old cluster still works.
            var appMe = await SendAsync(http, HttpMethod.Get, "/api/users/me", appToken);
            Assert.True(appMe.Status == HttpStatusCode.OK, $"/me with the application token: {(int)appMe.Status} {appMe.Body}");
            Assert.Equal(appUserId, appMe.Body.GetProperty("id").GetInt32());
            Assert.Equal(appUsername, appMe.Body.GetProperty("username").GetString());
            Assert.Equal("application", appMe.Body.GetProperty("type").GetString());
            Assert.Equal(3, appMe.Body.GetProperty("status").GetInt32());

            // Logging in again works, for both users, and the user keeps its id.
            var appAgain = await LoginAsync(http, appUsername, AppPassword);
            Assert.Equal(appUserId, appAgain.GetProperty("id").GetInt32());
            var adminAgain = await LoginAsync(http, "admin", TestSettings.AdminPassword);
            Assert.True(adminAgain.GetProperty("isAdmin").GetBoolean());
        }
        finally
        {
            await StopAsync(cluster, graceful: true);
        }
    }

    private static async Task StopAsync(InProcessTestCluster cluster, bool graceful)
    {
        if (graceful)
        {
            await cluster.StopAllSilosAsync();
        }
        else
        {
            foreach (var silo in cluster.Silos.ToList()) await cluster.KillSiloAsync(silo);
        }
        await cluster.DisposeAsync();
    }

    private static async Task<JsonElement> LoginAsync(HttpClient http, string username, string password)
    {
        var response = await http.PostAsJsonAsync("/api/users/login", new { username, password });
        var body = await ReadJsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login of {username}: {(int)response.StatusCode} {body}");
        Assert.True(body.GetProperty("login").GetBoolean());
        return body;
    }

    /// <summary>As the contract's curl does it: a JSON content type and no body at all.</summary>
    private static Task<(HttpStatusCode Status, JsonElement Body)> ApplicationTokenAsync(HttpClient http, string refreshToken)
    {
        var empty = new ByteArrayContent([]);
        empty.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return SendAsync(http, HttpMethod.Post, "/api/users/application-token", refreshToken, empty);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(
        HttpClient http, HttpMethod method, string path, string bearer, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (string.IsNullOrEmpty(text)) return default;
        try { return JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { throw new InvalidOperationException($"{(int)response.StatusCode}: not JSON: {text}"); }
    }
}
