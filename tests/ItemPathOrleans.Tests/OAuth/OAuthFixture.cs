using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// One cluster and API for the OAuth tests, with three tenants: <c>default</c> (rotation off),
/// one with rotation on, and another one to check that nothing crosses tenants. Each test makes
/// its own users.
/// </summary>
public sealed class OAuthFixture : IAsyncLifetime
{
    public const string Password = "Long-enough-pw-1";
    public const string TenantAdminPassword = "Tenant-admin-pw-1";
    public const string Default = "default";

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public ApiFactory Api { get; private set; } = null!;
    public string RotatingTenant { get; } = $"oauth-rot-{Guid.NewGuid():N}"[..18];
    public string OtherTenant { get; } = $"oauth-b-{Guid.NewGuid():N}"[..16];

    private readonly Dictionary<string, string> _adminTokens = [];
    private readonly Dictionary<string, string> _applicationTokens = [];

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(silos: 2);
        Api = new ApiFactory(Cluster.Client);
        var operatorToken = await ItemPathLoginAsync(Default, "admin", TestSettings.AdminPassword);
        _adminTokens[Default] = operatorToken.GetProperty("accessToken").GetString()!;
        foreach (var tenant in new[] { RotatingTenant, OtherTenant })
        {
            using var http = Client(bearer: _adminTokens[Default]);
            await HttpAssert.Ok(await http.PostAsJsonAsync("/api/tenants",
                new { id = tenant, name = tenant, adminUsername = "boss", adminPassword = TenantAdminPassword }), HttpStatusCode.Created);
            _adminTokens[tenant] = (await ItemPathLoginAsync(tenant, "boss", TenantAdminPassword)).GetProperty("accessToken").GetString()!;
        }
        using (var admin = Client(RotatingTenant, _adminTokens[RotatingTenant]))
            await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{RotatingTenant}", JsonContent.Create(new { refreshTokenRotation = true })));
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>A client of the API; <paramref name="tenant"/> goes in <c>X-Tenant</c>.</summary>
    public HttpClient Client(string? tenant = null, string? bearer = null)
    {
        var http = Api.CreateClient();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (bearer is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return http;
    }

    /// <summary>The bearer token of <paramref name="tenant"/>'s admin.</summary>
    public string AdminToken(string tenant) => _adminTokens[tenant];

    /// <summary>A browser: it keeps cookies and does not follow redirects, so each step can be looked at.</summary>
    public HttpClient Browser() => Api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static string Issuer(string tenant) => $"{TestSettings.Issuer}/{tenant}";
    public static string TokenEndpoint(string tenant) => $"{Issuer(tenant)}/oauth/token";
    public static string RevocationEndpoint(string tenant) => $"{Issuer(tenant)}/oauth/revoke";
    public static string IntrospectionEndpoint(string tenant) => $"{Issuer(tenant)}/oauth/introspect";

    public static string UniqueName(string prefix) => ServiceFixture.UniqueName(prefix);

    /// <summary>Creates a user in <paramref name="tenant"/> through its admin and returns the username.</summary>
    public async Task<string> CreateUserAsync(string tenant, string prefix, string type = "user")
    {
        var username = UniqueName(prefix);
        using var http = Client(tenant, _adminTokens[tenant]);
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username, password = Password, type }), HttpStatusCode.Created);
        return username;
    }

    public async Task<JsonElement> ItemPathLoginAsync(string tenant, string username, string password = Password)
    {
        using var http = Client(tenant);
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    /// <summary>An application token of the tenant (made once): what a resource server introspects with.</summary>
    public async Task<string> ApplicationTokenAsync(string tenant)
    {
        if (_applicationTokens.TryGetValue(tenant, out var known)) return known;
        var robot = await CreateUserAsync(tenant, "resource-server", type: "application");
        var login = await ItemPathLoginAsync(tenant, robot);
        using var http = Client(tenant, login.GetProperty("refreshToken").GetString());
        var created = await HttpAssert.Ok(await http.PostAsync("/api/users/application-token", null));
        return _applicationTokens[tenant] = created.GetProperty("token").GetString()!;
    }

    /// <summary>A form POST without any client library.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> form, string? tenant = null, string? bearer = null)
    {
        using var http = Client(tenant, bearer);
        return await http.PostAsync(url, new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> PasswordGrantAsync(string tenant, string username, string password = Password) =>
        PostFormAsync(TokenEndpoint(tenant), [P("grant_type", "password"), P("username", username), P("password", password)]);

    public Task<HttpResponseMessage> RefreshGrantAsync(string tenant, string refreshToken) =>
        PostFormAsync(TokenEndpoint(tenant), [P("grant_type", "refresh_token"), P("refresh_token", refreshToken)]);

    public Task<HttpResponseMessage> RevokeAsync(string tenant, string token) => PostFormAsync(RevocationEndpoint(tenant), [P("token", token)]);

    public static KeyValuePair<string, string> P(string name, string value) => new(name, value);
}

[CollectionDefinition(Name)]
public sealed class OAuthCollection : ICollectionFixture<OAuthFixture>
{
    public const string Name = "oauth";
}
