using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>The real clock moved forward by the tests (never back), so the API's refetch limits can be passed without waiting.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

/// <summary>
/// One 2-silo cluster and one API that may fetch OpenID metadata over plain HTTP from loopback.
/// Each test makes its own tenant and its own Entra double, so tests share no authority and no
/// refetch limit.
/// </summary>
public sealed class SsoFixture : IAsyncLifetime
{
    public const string AdminPassword = "Tenant-admin-pw-1";

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public ApiFactory Api { get; private set; } = null!;
    public ShiftedTimeProvider Time { get; } = new();
    public string OperatorToken { get; private set; } = null!;

    public static Dictionary<string, string?> LoopbackSettings() => new()
    {
        ["Sso:AllowedAuthorityHosts:0"] = "127.0.0.1",
        ["Sso:AllowHttpAuthorities"] = "true",
    };

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(silos: 2);
        Api = new ApiFactory(Cluster.Client, Time, LoopbackSettings());
        using var http = Api.CreateClient();
        var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        OperatorToken = login.GetProperty("accessToken").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public HttpClient Client(string? tenant = null, string? token = null, ApiFactory? api = null)
    {
        var http = (api ?? Api).CreateClient();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>A new tenant (its admin is <c>boss</c>); answers its id.</summary>
    public async Task<string> CreateTenantAsync(string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        using var http = Client(token: OperatorToken);
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/tenants", new { id, name = id, adminUsername = "boss", adminPassword = AdminPassword }), HttpStatusCode.Created);
        return id;
    }

    /// <summary>Sets the tenant's <c>sso</c> setting (as its operator) and answers the tenant object.</summary>
    public async Task<JsonElement> ConfigureSsoAsync(string tenant, object? sso)
    {
        using var http = Client(token: OperatorToken);
        return await HttpAssert.Ok(await http.PatchAsJsonAsync($"/api/tenants/{tenant}", new Dictionary<string, object?> { ["sso"] = sso }));
    }

    public async Task<string> TenantAdminTokenAsync(string tenant)
    {
        using var http = Client(tenant);
        var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "boss", password = AdminPassword }));
        return login.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Creates a user in the tenant through its admin; answers the user object.</summary>
    public async Task<JsonElement> CreateUserAsync(string tenant, string username, string? email = null, string password = "Correct-horse-9")
    {
        using var http = Client(tenant, await TenantAdminTokenAsync(tenant));
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username, password, email }), HttpStatusCode.Created);
    }

    public async Task<HttpResponseMessage> SsoLoginAsync(string tenant, string idToken, string? nonce = null, ApiFactory? api = null)
    {
        using var http = Client(tenant, api: api);
        return nonce is null
            ? await http.PostAsJsonAsync("/api/users/sso/login", new { idToken })
            : await http.PostAsJsonAsync("/api/users/sso/login", new { idToken, nonce });
    }
}

[CollectionDefinition(Name)]
public sealed class SsoCollection : ICollectionFixture<SsoFixture>
{
    public const string Name = "sso";
}
