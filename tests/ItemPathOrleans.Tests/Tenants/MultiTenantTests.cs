using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Tokens;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Tenants;

/// <summary>One cluster with several tenants; each test makes the tenants it needs.</summary>
public sealed class MultiTenantFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public ApiFactory Api { get; private set; } = null!;
    public string OperatorToken { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(silos: 2);
        Api = new ApiFactory(Cluster.Client);
        using var http = Api.CreateClient();
        var login = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        OperatorToken = login.GetProperty("accessToken").GetString()!;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class MultiTenantTests(MultiTenantFixture fixture) : IClassFixture<MultiTenantFixture>
{
    private const string AdminPassword = "Tenant-admin-pw-1";

    private static string NewTenantId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private HttpClient Client(string? tenant = null, string? token = null, ApiFactory? api = null)
    {
        var http = (api ?? fixture.Api).CreateClient();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private async Task<JsonElement> CreateTenantAsync(string id, string adminUsername = "boss")
    {
        using var http = Client(token: fixture.OperatorToken);
        var response = await http.PostAsJsonAsync("/api/tenants", new { id, name = $"Tenant {id}", adminUsername, adminPassword = AdminPassword });
        return await HttpAssert.Ok(response, HttpStatusCode.Created);
    }

    private async Task<JsonElement> LoginAsync(string? tenant, string username, string password)
    {
        using var http = Client(tenant);
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    private static string Access(JsonElement login) => login.GetProperty("accessToken").GetString()!;

    [Fact]
    public async Task The_tenant_list_is_answered_again_only_when_it_changed()
    {
        var catalog = fixture.Cluster.Client.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);
        var before = await catalog.GetAll();
        Assert.Null(await catalog.GetIfChanged(before.Stamp));

        var id = NewTenantId("cat");
        await CreateTenantAsync(id);
        var after = await catalog.GetIfChanged(before.Stamp);
        Assert.NotNull(after);
        Assert.True(after.Version > before.Version);
        Assert.NotEqual(before.Stamp, after.Stamp);
        Assert.False(before.Tenants.ContainsKey(id));
        Assert.Equal($"Tenant {id}", after.Tenants[id].Name);
        Assert.Null(await catalog.GetIfChanged(after.Stamp));
        // A node that holds no list, or one of another activation, gets the whole list.
        Assert.Equal(after.Version, (await catalog.GetIfChanged(null))!.Version);
        Assert.Equal(after.Version, (await catalog.GetIfChanged("another-activation." + after.Version))!.Version);

        Assert.Equal(after.Tenants[id], await catalog.Find(id));
        Assert.Null(await catalog.Find(NewTenantId("none")));
        // And the API, which asks with its stamp every few seconds, serves the new tenant.
        using var anonymous = Client(id);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/.well-known/jwks.json")).StatusCode);
    }

    [Fact]
    public async Task Operator_admins_create_list_read_and_disable_tenants()
    {
        var id = NewTenantId("acme");
        var created = await CreateTenantAsync(id);
        Assert.Equal(id, created.GetProperty("id").GetString());
        Assert.False(created.GetProperty("disabled").GetBoolean());
        Assert.Equal(900, created.GetProperty("settings").GetProperty("accessTokenLifetimeSeconds").GetInt32());

        using var http = Client(token: fixture.OperatorToken);
        var list = await HttpAssert.Ok(await http.GetAsync("/api/tenants?limit=1000"));
        Assert.Contains(list.GetProperty("tenants").EnumerateArray(), t => t.GetProperty("id").GetString() == id);
        Assert.True(list.GetProperty("total").GetInt32() >= 2);
        Assert.Equal(id, (await HttpAssert.Ok(await http.GetAsync($"/api/tenants/{id}"))).GetProperty("id").GetString());

        // Its first admin can log in there.
        var boss = await LoginAsync(id, "boss", AdminPassword);
        Assert.True(boss.GetProperty("isAdmin").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/tenants/{id}")).StatusCode);
        using (var anon = Client(id))
            await HttpAssert.Problem(await anon.PostAsJsonAsync("/api/users/login", new { username = "boss", password = AdminPassword }), HttpStatusCode.NotFound, "Unknown tenant");
        using (var bossHttp = Client(id, Access(boss)))
            await HttpAssert.Problem(await bossHttp.GetAsync("/api/users/me"), HttpStatusCode.NotFound, "Unknown tenant");
        Assert.True((await HttpAssert.Ok(await http.GetAsync($"/api/tenants/{id}"))).GetProperty("disabled").GetBoolean());

        // And enable it again.
        await HttpAssert.Ok(await http.PatchAsync($"/api/tenants/{id}", JsonContent.Create(new { disabled = false })));
        await LoginAsync(id, "boss", AdminPassword);
    }

    [Theory]
    [InlineData("""{"id": "Bad_Id", "adminUsername": "boss", "adminPassword": "Tenant-admin-pw-1"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"id": "ok-id", "adminUsername": "boss", "adminPassword": "short"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"id": "ok-id", "adminPassword": "Tenant-admin-pw-1"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"id": "default", "adminUsername": "boss", "adminPassword": "Tenant-admin-pw-1"}""", HttpStatusCode.Conflict)]
    public async Task Bad_tenant_creations_are_refused(string json, HttpStatusCode status)
    {
        using var http = Client(token: fixture.OperatorToken);
        await HttpAssert.Problem(await http.PostAsync("/api/tenants", new StringContent(json, System.Text.Encoding.UTF8, "application/json")), status);
        using var again = Client("ok-id");
        await HttpAssert.Problem(await again.PostAsJsonAsync("/api/users/login", new { username = "boss", password = AdminPassword }), HttpStatusCode.NotFound, "Unknown tenant");
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("Acme")]
    [InlineData("../etc")]
    [InlineData("a b")]
    [InlineData("-leading")]
    public async Task Unknown_or_malformed_tenants_are_404(string tenant)
    {
        using var http = Client(tenant);
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }), HttpStatusCode.NotFound, "Unknown tenant");
    }

    [Fact]
    public async Task Same_username_in_two_tenants_is_two_users_with_their_own_passwords_and_tokens()
    {
        var a = NewTenantId("ta");
        var b = NewTenantId("tb");
        await CreateTenantAsync(a);
        await CreateTenantAsync(b);
        foreach (var (tenant, password) in new[] { (a, "Alice-in-A-pw-1"), (b, "Alice-in-B-pw-2") })
        {
            var boss = await LoginAsync(tenant, "boss", AdminPassword);
            using var admin = Client(tenant, Access(boss));
            await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = "alice", password }), HttpStatusCode.Created);
        }

        var inA = await LoginAsync(a, "alice", "Alice-in-A-pw-1");
        var inB = await LoginAsync(b, "alice", "Alice-in-B-pw-2");
        using (var wrong = Client(a))
            await HttpAssert.Problem(await wrong.PostAsJsonAsync("/api/users/login", new { username = "alice", password = "Alice-in-B-pw-2" }), HttpStatusCode.Unauthorized, "Bad username or password");

        // Each token works in its tenant only, and is refused (401) in the other and in default.
        using (var ok = Client(a, Access(inA))) Assert.Equal(HttpStatusCode.OK, (await ok.GetAsync("/api/users/me")).StatusCode);
        using (var cross = Client(b, Access(inA))) Assert.Equal(HttpStatusCode.Unauthorized, (await cross.GetAsync("/api/users/me")).StatusCode);
        using (var cross = Client(a, Access(inB))) Assert.Equal(HttpStatusCode.Unauthorized, (await cross.GetAsync("/api/users/me")).StatusCode);
        using (var cross = Client(null, Access(inA))) Assert.Equal(HttpStatusCode.Unauthorized, (await cross.GetAsync("/api/users/me")).StatusCode);
        using (var refresh = Client(b, inA.GetProperty("refreshToken").GetString()))
            Assert.Equal(HttpStatusCode.Unauthorized, (await refresh.PostAsync("/api/users/refresh", null)).StatusCode);
    }

    [Fact]
    public async Task A_tenant_admin_cannot_reach_another_tenants_users_or_settings()
    {
        var a = NewTenantId("ia");
        var b = NewTenantId("ib");
        await CreateTenantAsync(a);
        await CreateTenantAsync(b);
        var bossA = Access(await LoginAsync(a, "boss", AdminPassword));
        using (var adminB = Client(b, Access(await LoginAsync(b, "boss", AdminPassword))))
            await HttpAssert.Ok(await adminB.PostAsJsonAsync("/api/users", new { username = "only-in-b", password = "Long-enough-pw-1" }), HttpStatusCode.Created);

        // With A's token in B's context: refused outright.
        using (var inB = Client(b, bossA))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await inB.GetAsync("/api/users")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await inB.GetAsync("/api/users/1")).StatusCode);
        }
        // In A's context: A's users only, and B's settings are not A's to read or change.
        using var inA = Client(a, bossA);
        var users = await HttpAssert.Ok(await inA.GetAsync("/api/users?limit=1000"));
        Assert.DoesNotContain(users.GetProperty("users").EnumerateArray(), u => u.GetProperty("username").GetString() == "only-in-b");
        Assert.Equal(1, users.GetProperty("total").GetInt64());
        await HttpAssert.Problem(await inA.GetAsync($"/api/tenants/{b}"), HttpStatusCode.Forbidden);
        await HttpAssert.Problem(await inA.PatchAsync($"/api/tenants/{b}", JsonContent.Create(new { maxSessionsPerUser = 1 })), HttpStatusCode.Forbidden);
        await HttpAssert.Problem(await inA.PostAsync($"/api/tenants/{b}/keys/rotate", null), HttpStatusCode.Forbidden);
        await HttpAssert.Problem(await inA.GetAsync("/api/tenants"), HttpStatusCode.Forbidden, "Operator admin rights required");
        await HttpAssert.Problem(await inA.PostAsJsonAsync("/api/tenants", new { id = NewTenantId("x"), adminUsername = "boss", adminPassword = AdminPassword }), HttpStatusCode.Forbidden);
        // A's own settings are A's to change.
        var own = await HttpAssert.Ok(await inA.PatchAsync($"/api/tenants/{a}", JsonContent.Create(new { accessTokenLifetimeSeconds = 120 })));
        Assert.Equal(120, own.GetProperty("settings").GetProperty("accessTokenLifetimeSeconds").GetInt32());
        await HttpAssert.Problem(await inA.PatchAsync($"/api/tenants/{a}", JsonContent.Create(new { disabled = true })), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Per_tenant_token_lifetimes_apply_at_issue_time()
    {
        var a = NewTenantId("life");
        await CreateTenantAsync(a);
        using (var admin = Client(a, Access(await LoginAsync(a, "boss", AdminPassword))))
            await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{a}", JsonContent.Create(new { accessTokenLifetimeSeconds = 60, refreshTokenLifetimeSeconds = 3600 })));
        var login = await LoginAsync(a, "boss", AdminPassword);
        var access = Access(login);
        var refresh = login.GetProperty("refreshToken").GetString()!;
        Assert.Equal(60, long.Parse(JwtClaims.Claim(access, "exp")) - long.Parse(JwtClaims.Claim(access, "iat")));
        Assert.Equal(3600, long.Parse(JwtClaims.Claim(refresh, "exp")) - long.Parse(JwtClaims.Claim(refresh, "iat")));
        Assert.Equal($"{TestSettings.Issuer}/{a}", JwtClaims.Claim(access, "iss"));
        Assert.Equal(a, JwtClaims.Claim(access, "tid"));
    }

    [Fact]
    public async Task Key_rotation_keeps_old_tokens_until_their_version_is_retired()
    {
        var a = NewTenantId("keys");
        await CreateTenantAsync(a);
        var before = await LoginAsync(a, "boss", AdminPassword);
        Assert.Equal("k1", Header(Access(before)).GetProperty("kid").GetString());
        using var admin = Client(a, Access(before));

        var rotated = await HttpAssert.Ok(await admin.PostAsync($"/api/tenants/{a}/keys/rotate", null));
        Assert.Equal("k2", rotated.GetProperty("kid").GetString());

        // Tokens from before still work; new ones carry the new kid.
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/users/me")).StatusCode);
        var after = await LoginAsync(a, "boss", AdminPassword);
        Assert.Equal("k2", Header(Access(after)).GetProperty("kid").GetString());
        var keys = await HttpAssert.Ok(await admin.GetAsync($"/api/tenants/{a}/keys"));
        Assert.Equal(["k1", "k2"], keys.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()));
        Assert.True(keys.GetProperty("keys")[1].GetProperty("current").GetBoolean());
        Assert.DoesNotContain("salt", keys.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret", keys.GetRawText(), StringComparison.OrdinalIgnoreCase);

        using var newAdmin = Client(a, Access(after));
        await HttpAssert.Problem(await newAdmin.PostAsync($"/api/tenants/{a}/keys/k2/retire", null), HttpStatusCode.Conflict);
        await HttpAssert.Problem(await newAdmin.PostAsync($"/api/tenants/{a}/keys/k7/retire", null), HttpStatusCode.NotFound);
        var retired = await HttpAssert.Ok(await newAdmin.PostAsync($"/api/tenants/{a}/keys/k1/retire", null));
        Assert.NotEqual(JsonValueKind.Null, retired.GetProperty("keys")[0].GetProperty("retiredAt").ValueKind);

        // Every token signed with k1 stops; k2 tokens go on.
        await HttpAssert.InvalidToken(await admin.GetAsync("/api/users/me"), "Token has been revoked");
        using (var oldRefresh = Client(a, before.GetProperty("refreshToken").GetString()))
            Assert.Equal(HttpStatusCode.Unauthorized, (await oldRefresh.PostAsync("/api/users/refresh", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newAdmin.GetAsync("/api/users/me")).StatusCode);

        // The operator tenant's keys were not touched.
        using var op = Client(token: fixture.OperatorToken);
        var operatorKeys = await HttpAssert.Ok(await op.GetAsync("/api/tenants/default/keys"));
        Assert.Equal("k1", Assert.Single(operatorKeys.GetProperty("keys").EnumerateArray()).GetProperty("kid").GetString());
        Assert.Equal(HttpStatusCode.OK, (await op.GetAsync("/api/users/me")).StatusCode);
    }

    [Theory]
    [InlineData("k2")]
    [InlineData("k99")]
    [InlineData("../../k1")]
    [InlineData("k1' OR '1'='1")]
    [InlineData("")]
    public async Task Foreign_unknown_and_hostile_kids_are_refused_without_any_lookup(string kid)
    {
        // A tenant whose ring has k2, so "k2" is a kid of another tenant seen from default.
        var other = NewTenantId("kid");
        await CreateTenantAsync(other);
        using (var otherAdmin = Client(other, Access(await LoginAsync(other, "boss", AdminPassword))))
            await HttpAssert.Ok(await otherAdmin.PostAsync($"/api/tenants/{other}/keys/rotate", null));

        var login = await LoginAsync(null, "admin", TestSettings.AdminPassword);
        var tokens = await TestTokens.ForAsync(fixture.Cluster.Client);
        var forged = tokens.Resign(Access(login), p => p, $$"""{"typ":"JWT","alg":"HS256","kid":{{JsonSerializer.Serialize(kid)}}}""");

        // An API node whose caches never expire (frozen clock) and whose grain calls are counted.
        var calls = 0;
        var counting = DispatchProxy.Create<IGrainFactory, GrainCallCounter.Decorator>();
        ((GrainCallCounter.Decorator)(object)counting).Init(fixture.Cluster.Client, r => r, (_, _) => Interlocked.Increment(ref calls));
        await using var node = new ApiFactory(fixture.Cluster.Client, new FakeTimeProvider(DateTimeOffset.UtcNow))
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IGrainFactory>(counting)));
        using (var warm = node.CreateClient())
            Assert.Equal(HttpStatusCode.Unauthorized, (await warm.GetAsync("/api/users/me")).StatusCode);
        var warmCalls = calls;
        Assert.True(warmCalls > 0, "the counter sees the node's grain calls (tenant list and tenant)");

        using var http = node.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", forged);
        var response = await http.GetAsync("/api/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(warmCalls, calls);
    }

    [Fact]
    public async Task Host_suffix_names_the_tenant_and_X_Tenant_counts_only_from_trusted_proxies()
    {
        var a = NewTenantId("host");
        await CreateTenantAsync(a);
        await using var node = HostSuffixNode(trustedProxy: "10.9.9.9");

        async Task<HttpStatusCode> LoginStatus(string host, string? header)
        {
            using var http = node.CreateClient();
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/users/login") { Content = JsonContent.Create(new { username = "boss", password = AdminPassword }) };
            request.Headers.Host = host;
            if (header is not null) request.Headers.Add("X-Tenant", header);
            return (await http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await LoginStatus($"{a}.auth.example.test", null));
        Assert.Equal(HttpStatusCode.OK, await LoginStatus($"{a.ToUpperInvariant()}.AUTH.example.test", null));
        // Not from a trusted proxy: X-Tenant is ignored, the host decides.
        Assert.Equal(HttpStatusCode.OK, await LoginStatus($"{a}.auth.example.test", "default"));
        // The bare suffix (or another host) is the default tenant, where boss does not exist.
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginStatus("auth.example.test", a));
        Assert.Equal(HttpStatusCode.NotFound, await LoginStatus("nosuch.auth.example.test", null));
        Assert.Equal(HttpStatusCode.NotFound, await LoginStatus($"x.{a}.auth.example.test", null));

        await using var behindProxy = HostSuffixNode(trustedProxy: "127.0.0.1");
        using var proxied = behindProxy.CreateClient();
        var disagree = new HttpRequestMessage(HttpMethod.Post, "/api/users/login") { Content = JsonContent.Create(new { username = "boss", password = AdminPassword }) };
        disagree.Headers.Host = $"{a}.auth.example.test";
        disagree.Headers.Add("X-Tenant", "default");
        await HttpAssert.Problem(await proxied.SendAsync(disagree), HttpStatusCode.BadRequest, "X-Tenant does not match the host");
        var fromProxy = new HttpRequestMessage(HttpMethod.Post, "/api/users/login") { Content = JsonContent.Create(new { username = "boss", password = AdminPassword }) };
        fromProxy.Headers.Host = "internal-lb";
        fromProxy.Headers.Add("X-Tenant", a);
        Assert.Equal(HttpStatusCode.OK, (await proxied.SendAsync(fromProxy)).StatusCode);
    }

    [Fact]
    public async Task The_operator_tenant_can_be_confined_to_its_host()
    {
        await using var node = fixture.Api.WithWebHostBuilder(b => b.UseSetting("Tenancy:OperatorHost", "ops.example.test"));
        using var http = node.CreateClient();
        async Task<HttpStatusCode> LoginOn(string host)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/users/login") { Content = JsonContent.Create(new { username = "admin", password = TestSettings.AdminPassword }) };
            request.Headers.Host = host;
            return (await http.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.NotFound, await LoginOn("localhost"));
        Assert.Equal(HttpStatusCode.OK, await LoginOn("ops.example.test"));
    }

    /// <summary>An API node with a host suffix, whose requests come from 127.0.0.1.</summary>
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> HostSuffixNode(string trustedProxy) =>
        fixture.Api.WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:HostSuffix", "auth.example.test");
            b.UseSetting("Tenancy:TrustedProxies:0", trustedProxy);
            b.ConfigureTestServices(s => s.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new RemoteAddressFilter("127.0.0.1")));
        });

    private static JsonElement Header(string token) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement;
}
