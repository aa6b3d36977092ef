using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>
/// One cluster, one upstream double on loopback, and API nodes made per need: a plain one, a
/// gateway in front of the double, and nodes with their own clock or settings.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string Password = "Gateway-Pass-7";
    public static readonly string[] Routes = ["/api/stations/{**rest}", "/api/orders/{**rest}"];

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public UpstreamDouble Upstream { get; private set; } = null!;
    public ApiFactory Api { get; private set; } = null!;
    public ApiFactory GatewayApi { get; private set; } = null!;
    public string AdminToken { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(silos: 1);
        Upstream = await UpstreamDouble.StartAsync();
        Api = new ApiFactory(Cluster.Client);
        GatewayApi = Node(GatewaySettings(Upstream.Url));
        AdminToken = (await LoginAsync(Api, "admin", TestSettings.AdminPassword)).GetProperty("accessToken").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await GatewayApi.DisposeAsync();
        await Api.DisposeAsync();
        await Upstream.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public ApiFactory Node(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null) => new(Cluster.Client, time, settings);

    public static Dictionary<string, string?> GatewaySettings(string upstream, bool forwardAuthorization = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Enabled"] = "true",
            ["Gateway:Upstream"] = upstream,
            ["Gateway:ForwardAuthorization"] = forwardAuthorization ? "true" : "false",
        };
        for (var i = 0; i < Routes.Length; i++) settings[$"Gateway:Routes:{i}"] = Routes[i];
        return settings;
    }

    public static HttpClient Client(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> api, string? token = null, string? tenant = null)
    {
        var http = api.CreateClient();
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        return http;
    }

    public static async Task<JsonElement> LoginAsync(ApiFactory api, string username, string password, string? tenant = null)
    {
        using var http = Client(api, tenant: tenant);
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    /// <summary>A new user of the default tenant, logged in: its login answer.</summary>
    public async Task<JsonElement> NewUserAsync(string prefix, string type = "user", bool isAdmin = false)
    {
        var name = ServiceFixture.UniqueName(prefix);
        using (var http = Client(Api, AdminToken))
            await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name, password = Password, type, isAdmin }), System.Net.HttpStatusCode.Created);
        return await LoginAsync(Api, name, Password);
    }
}
