using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Gateway;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Clients;

/// <summary>
/// One cluster behind two API nodes (A and B) and a gateway node in front of an upstream double,
/// with two tenants of their own: <see cref="Tenant"/> (API scopes <c>stations:read</c> and
/// <c>stations:write</c>, <c>revocationLatencySeconds</c> 1) and <see cref="OtherTenant"/>, to
/// check that clients never cross tenants. Each test registers its own clients.
/// </summary>
public sealed class ClientsFixture : IAsyncLifetime
{
    public const string AdminPassword = "Clients-admin-pw-1";
    public const string UserPassword = "Clients-user-pw-1";
    public const int LatencySeconds = 1;
    public static readonly string[] ApiScopes = ["stations:read", "stations:write"];

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public ApiFactory NodeA { get; private set; } = null!;
    public ApiFactory NodeB { get; private set; } = null!;
    public ApiFactory GatewayNode { get; private set; } = null!;
    public UpstreamDouble Upstream { get; private set; } = null!;
    public string Tenant { get; } = $"clients-{Guid.NewGuid():N}"[..20];
    public string OtherTenant { get; } = $"clients-b-{Guid.NewGuid():N}"[..22];

    private readonly Dictionary<string, string> _adminTokens = [];

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(silos: 2);
        NodeA = new ApiFactory(Cluster.Client);
        NodeB = new ApiFactory(Cluster.Client);
        Upstream = await UpstreamDouble.StartAsync();
        var gateway = new Dictionary<string, string?>
        {
            ["Gateway:Enabled"] = "true",
            ["Gateway:Upstream"] = Upstream.Url,
            // The path alone, as the option has always been written, and the object form with scopes.
            ["Gateway:Routes:0"] = "/api/open/{**rest}",
            ["Gateway:Routes:1:Path"] = "/api/stations/{**rest}",
            ["Gateway:Routes:1:Scopes:0"] = "stations:read",
        };
        GatewayNode = new ApiFactory(Cluster.Client, settings: gateway);

        var operatorToken = (await LoginAsync(NodeA, "default", "admin", TestSettings.AdminPassword)).GetProperty("accessToken").GetString()!;
        foreach (var tenant in new[] { Tenant, OtherTenant })
        {
            using (var http = Http(NodeA, "default", operatorToken))
                await HttpAssert.Ok(await http.PostAsJsonAsync("/api/tenants", new { id = tenant, name = tenant, adminUsername = "boss", adminPassword = AdminPassword }), HttpStatusCode.Created);
            _adminTokens[tenant] = (await LoginAsync(NodeA, tenant, "boss", AdminPassword)).GetProperty("accessToken").GetString()!;
            using var admin = Http(NodeA, tenant, _adminTokens[tenant]);
            await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new
            {
                revocationLatencySeconds = LatencySeconds,
                apiScopes = ApiScopes.Select(name => new { name, description = $"The {name} scope" }),
            })));
        }
        // Every node applies the settings within its tenant cache's age: wait for it, with a deadline.
        foreach (var node in new[] { NodeA, NodeB, GatewayNode })
            await UntilAsync(async () => (await MetadataAsync(node, Tenant)).GetProperty("scopes_supported").GetArrayLength() == ApiScopes.Length, "the tenant's scopes");
    }

    public async Task DisposeAsync()
    {
        await GatewayNode.DisposeAsync();
        await NodeA.DisposeAsync();
        await NodeB.DisposeAsync();
        await Upstream.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public string AdminToken(string tenant) => _adminTokens[tenant];

    public static string Issuer(string tenant) => $"{TestSettings.Issuer}/{tenant}";
    public static string TokenEndpoint(string tenant) => $"{Issuer(tenant)}/oauth/token";
    public static string RevocationEndpoint(string tenant) => $"{Issuer(tenant)}/oauth/revoke";
    public static string IntrospectionEndpoint(string tenant) => $"{Issuer(tenant)}/oauth/introspect";

    /// <summary>A client of an API node; <paramref name="tenant"/> goes in <c>X-Tenant</c>.</summary>
    public static HttpClient Http(ApiFactory node, string? tenant = null, string? bearer = null)
    {
        var http = node.CreateClient();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (bearer is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return http;
    }

    /// <summary>Node A as the tenant's admin.</summary>
    public HttpClient Admin(string tenant) => Http(NodeA, tenant, _adminTokens[tenant]);

    /// <summary>Registers a client through the management API: the answer (with <c>clientSecret</c> for the secret methods).</summary>
    public async Task<JsonElement> RegisterAsync(string tenant, object registration)
    {
        using var admin = Admin(tenant);
        return await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/clients", registration), HttpStatusCode.Created);
    }

    /// <summary>A confidential client of <see cref="Tenant"/> with a secret: its id and secret.</summary>
    public async Task<(string Id, string Secret)> SecretClientAsync(string method = "client_secret_basic", string[]? scopes = null, object? more = null, string? tenant = null)
    {
        var id = ServiceFixture.UniqueName("svc");
        var body = JsonSerializer.SerializeToElement(new { clientId = id, name = "a service", grantTypes = new[] { "client_credentials" }, tokenEndpointAuthMethod = method, allowedScopes = scopes ?? ApiScopes });
        var merged = Merge(body, more);
        var created = await RegisterAsync(tenant ?? Tenant, merged);
        return (id, created.GetProperty("clientSecret").GetString()!);
    }

    public static async Task<JsonElement> LoginAsync(ApiFactory node, string tenant, string username, string password)
    {
        using var http = Http(node, tenant);
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    /// <summary>A user of the tenant, logged in: its access token.</summary>
    public async Task<string> UserAccessTokenAsync(string tenant)
    {
        var username = ServiceFixture.UniqueName("person");
        using (var admin = Admin(tenant))
            await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username, password = UserPassword }), HttpStatusCode.Created);
        return (await LoginAsync(NodeA, tenant, username, UserPassword)).GetProperty("accessToken").GetString()!;
    }

    public static async Task<JsonElement> MetadataAsync(ApiFactory node, string tenant)
    {
        using var http = Http(node);
        return await HttpAssert.Ok(await http.GetAsync($"/.well-known/oauth-authorization-server/{tenant}"));
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds, for at most 10 s.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"{what}: not within 10 s");
            await Task.Delay(100);
        }
        return clock.Elapsed;
    }

    private static JsonElement Merge(JsonElement body, object? more)
    {
        if (more is null) return body;
        var merged = body.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        foreach (var p in JsonSerializer.SerializeToElement(more).EnumerateObject()) merged[p.Name] = p.Value;
        return JsonSerializer.SerializeToElement(merged);
    }
}

[CollectionDefinition(Name)]
public sealed class ClientsCollection : ICollectionFixture<ClientsFixture>
{
    public const string Name = "clients";
}
