using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>
/// One 2-silo cluster and one API for a collection of HTTP tests. Each test makes its own users
/// (unique names), so tests do not see each other's state.
/// </summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public ApiFactory Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync();
        Api = new ApiFactory(Cluster.Client);
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public HttpClient Client() => Api.CreateClient();

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 128)];

    public async Task<JsonElement> LoginAsync(string username, string password)
    {
        using var http = Client();
        var response = await http.PostAsJsonAsync("/api/users/login", new { username, password });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"login of {username} failed: {(int)response.StatusCode} {body}");
        return body;
    }

    public Task<JsonElement> AdminLoginAsync() => LoginAsync("admin", TestSettings.AdminPassword);

    /// <summary>Creates a user through the admin API and returns its user object.</summary>
    public async Task<JsonElement> CreateUserAsync(string username, string password, string type = "user", bool isAdmin = false, string? email = null)
    {
        var admin = await AdminLoginAsync();
        using var http = Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin.GetProperty("accessToken").GetString());
        var response = await http.PostAsJsonAsync("/api/users", new { username, password, type, isAdmin, email });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"creating {username} failed: {(int)response.StatusCode} {body}");
        return body;
    }

    public HttpClient ClientWith(string token)
    {
        var http = Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
