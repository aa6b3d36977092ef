using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace ItemPathOrleans.Tests.Authentication;

/// <summary>
/// Two API nodes in front of one cluster, the tenant's <c>revocationLatencySeconds</c> at 1.
/// A revocation served by node A bites there at once where A can know it (logout, a session
/// ended by its user) and on node B within the latency, although B validates the token locally
/// and keeps the session's "active" answer in its cache.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class MultiNodeRevocationTests(TwoApiNodes nodes, ITestOutputHelper output) : IClassFixture<TwoApiNodes>
{
    private const string Password = "Multi-Node-Pass-5";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    /// <summary>Clock reading differences between this test and the API's cache; not a grace.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Logout_through_one_node_stops_the_access_token_on_the_other_node_within_the_revocation_latency()
    {
        var login = await nodes.CreateUserAndLoginAsync(ServiceFixture.UniqueName("mn-logout"), Password);
        var access = login.GetProperty("accessToken").GetString()!;
        await AcceptedOnBothNodesAsync(access);

        using var logout = await SendAsync(nodes.NodeA, HttpMethod.Post, "/api/users/logout", access);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        var sinceRevocation = Stopwatch.StartNew();

        using (var atA = await SendAsync(nodes.NodeA, HttpMethod.Get, "/api/users/me", access))
            await HttpAssert.InvalidToken(atA, "Token has been revoked");
        await RefusedOnNodeBWithinLatencyAsync(access, "Token has been revoked", sinceRevocation, "logout");
    }

    [Fact]
    public async Task Deactivating_a_user_through_one_node_stops_its_tokens_on_the_other_node_within_the_revocation_latency()
    {
        var login = await nodes.CreateUserAndLoginAsync(ServiceFixture.UniqueName("mn-deact"), Password);
        var access = login.GetProperty("accessToken").GetString()!;
        var userId = login.GetProperty("id").GetInt32();
        await AcceptedOnBothNodesAsync(access);

        using var deactivate = await SendAsync(nodes.NodeA, HttpMethod.Patch, $"/api/users/{userId}", nodes.AdminToken,
            JsonContent.Create(new { status = 2 }));
        var user = await HttpAssert.Ok(deactivate);
        Assert.Equal(2, user.GetProperty("status").GetInt32());
        var sinceRevocation = Stopwatch.StartNew();

        await RefusedOnNodeBWithinLatencyAsync(access, "User is not active", sinceRevocation, "deactivation");
    }

    [Fact]
    public async Task Revoking_a_session_through_one_node_stops_its_tokens_on_the_other_node_within_the_revocation_latency()
    {
        var username = ServiceFixture.UniqueName("mn-sess");
        var doomed = await nodes.CreateUserAndLoginAsync(username, Password);
        var kept = await nodes.LoginAsync(username, Password);
        var doomedAccess = doomed.GetProperty("accessToken").GetString()!;
        var keptAccess = kept.GetProperty("accessToken").GetString()!;
        var doomedSession = JwtClaims.Claim(doomedAccess, "sid");
        Assert.NotEqual(doomedSession, JwtClaims.Claim(keptAccess, "sid"));
        await AcceptedOnBothNodesAsync(doomedAccess);

        // The user ends the other session from the one they keep, through node A.
        using var revoke = await SendAsync(nodes.NodeA, HttpMethod.Delete, $"/api/users/me/sessions/{doomedSession}", keptAccess);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var sinceRevocation = Stopwatch.StartNew();

        using (var atA = await SendAsync(nodes.NodeA, HttpMethod.Get, "/api/users/me", doomedAccess))
            await HttpAssert.InvalidToken(atA, "Token has been revoked");
        await RefusedOnNodeBWithinLatencyAsync(doomedAccess, "Token has been revoked", sinceRevocation, "session revoked");

        // The session the user kept works on both nodes.
        await AcceptedOnBothNodesAsync(keptAccess);
    }

    [Fact]
    public async Task Retiring_a_key_through_one_node_stops_its_tokens_on_the_other_node_within_the_revocation_latency()
    {
        // A tenant of its own (retiring the default tenant's k1 would stop the fixture's admin token),
        // its latency at 1 s like the default tenant's.
        var tenant = ServiceFixture.UniqueName("mn-keys");
        using (var created = await SendAsync(nodes.NodeA, HttpMethod.Post, "/api/tenants", nodes.AdminToken,
                   JsonContent.Create(new { id = tenant, name = "Keys", adminUsername = "boss", adminPassword = Password })))
            await HttpAssert.Ok(created, HttpStatusCode.Created);
        using var login = await SendAsync(nodes.NodeA, HttpMethod.Post, "/api/users/login", null,
            JsonContent.Create(new { username = "boss", password = Password }), tenant);
        var old = (await HttpAssert.Ok(login)).GetProperty("accessToken").GetString()!;
        using (var latency = await SendAsync(nodes.NodeA, HttpMethod.Patch, $"/api/tenants/{tenant}", old,
                   JsonContent.Create(new { revocationLatencySeconds = TwoApiNodes.LatencySeconds }), tenant))
            await HttpAssert.Ok(latency);
        using (var rotated = await SendAsync(nodes.NodeA, HttpMethod.Post, $"/api/tenants/{tenant}/keys/rotate", old, tenant: tenant))
            Assert.Equal("k2", (await HttpAssert.Ok(rotated)).GetProperty("kid").GetString());
        // Node B knows of the new tenant once its copy of the tenant list is renewed (every 2 s).
        var sinceCreation = Stopwatch.StartNew();
        while (true)
        {
            using var atB = await SendAsync(nodes.NodeB, HttpMethod.Get, "/api/users/me", old, tenant: tenant);
            if (atB.StatusCode != HttpStatusCode.NotFound) break;
            Assert.True(sinceCreation.Elapsed < Deadline, $"node B does not know tenant {tenant} {Deadline.TotalSeconds} s after its creation");
            await Task.Delay(PollInterval);
        }
        await AcceptedOnBothNodesAsync(old, tenant);

        using (var retired = await SendAsync(nodes.NodeA, HttpMethod.Post, $"/api/tenants/{tenant}/keys/k1/retire", old, tenant: tenant))
            await HttpAssert.Ok(retired);
        var sinceRetirement = Stopwatch.StartNew();

        using (var atA = await SendAsync(nodes.NodeA, HttpMethod.Get, "/api/users/me", old, tenant: tenant))
            await HttpAssert.InvalidToken(atA, "Token has been revoked");
        await RefusedOnNodeBWithinLatencyAsync(old, "Token has been revoked", sinceRetirement, "key retired", tenant);
    }

    [Fact]
    public async Task Sequential_requests_with_one_token_on_one_node_cost_one_session_check_per_revocation_interval()
    {
        var (counter, node, access) = await CountedNodeAndTokenAsync("mn-seq");
        await using var _ = node;
        using var http = Client(node, access);

        const int Requests = 100;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            using var response = await http.GetAsync("/api/users/me");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        AssertOneCheckPerInterval(counter, access, Requests, "sequential", clock.Elapsed);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_token_on_one_node_share_one_session_check()
    {
        var (counter, node, access) = await CountedNodeAndTokenAsync("mn-conc");
        await using var _ = node;
        using var http = Client(node, access);
        // The first check is held (at most 500 ms, ended early by a second check) so that the
        // other requests surely arrive while it is under way: they must share it.
        counter.HoldFirstCheck(TimeSpan.FromMilliseconds(500));

        const int Requests = 50;
        var clock = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => http.GetAsync("/api/users/me")));
        var elapsed = clock.Elapsed;
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in responses) response.Dispose();
        AssertOneCheckPerInterval(counter, access, Requests, "concurrent", elapsed);
    }

    [Fact]
    public async Task Me_answers_from_the_cached_check_and_a_rename_shows_at_once_on_its_node_and_within_the_latency_on_the_other()
    {
        var (counter, counted, access) = await CountedNodeAndTokenAsync("mn-me");
        await using var _ = counted;
        var sid = JwtClaims.Claim(access, "sid");
        var userId = int.Parse(JwtClaims.Claim(access, "uid"), System.Globalization.CultureInfo.InvariantCulture);
        string? name = null;
        for (var i = 0; i < 5; i++)
        {
            using var http = Client(counted, access);
            var me = await HttpAssert.Ok(await http.GetAsync("/api/users/me"));
            Assert.Equal(userId, me.GetProperty("id").GetInt32());
            name ??= me.GetProperty("username").GetString();
        }
        // Every user grain call these five answers cost was the revocation check: the profile came with it.
        Assert.InRange(counter.Count(nameof(IUserGrain.CheckSession), sid), 1, 5);
        Assert.Equal(counter.Count(nameof(IUserGrain.CheckSession), sid), counter.Total);

        await AcceptedOnBothNodesAsync(access);
        var renamed = ServiceFixture.UniqueName("mn-me-renamed");
        using (var rename = await SendAsync(nodes.NodeA, HttpMethod.Patch, $"/api/users/{userId}", nodes.AdminToken, JsonContent.Create(new { username = renamed })))
            await HttpAssert.Ok(rename);
        var sinceRename = Stopwatch.StartNew();

        // The node that served the change forgot what it had cached.
        using (var atA = await SendAsync(nodes.NodeA, HttpMethod.Get, "/api/users/me", access))
            Assert.Equal(renamed, (await HttpAssert.Ok(atA)).GetProperty("username").GetString());
        // The other one shows it once its cached check is older than the latency.
        while (true)
        {
            using var atB = await SendAsync(nodes.NodeB, HttpMethod.Get, "/api/users/me", access);
            var seen = (await HttpAssert.Ok(atB)).GetProperty("username").GetString();
            if (seen == renamed) break;
            Assert.Equal(name, seen);
            Assert.True(sinceRename.Elapsed < Deadline, $"node B still shows the old name {Deadline.TotalSeconds} s after the rename");
            await Task.Delay(PollInterval);
        }
        output.WriteLine($"node B showed the new name {sinceRename.ElapsedMilliseconds} ms after node A answered (latency {TwoApiNodes.LatencySeconds} s)");
    }

    [Fact]
    public async Task A_node_keeps_answers_past_the_latency_while_their_users_do_not_change_and_a_change_through_the_other_node_still_bites_within_a_second()
    {
        // Node C: node B's configuration with a clock the test moves, its grain calls counted.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counter = new GrainCallCounter();
        var countingFactory = counter.Wrap(nodes.Cluster.Client);
        await using var nodeC = new ApiFactory(nodes.Cluster.Client, time).WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.Replace(ServiceDescriptor.Singleton(countingFactory))));
        // The node is already serving (its view of the changes under way) when the users are created and log in.
        for (var round = 0; round < 2; round++)
        {
            time.Advance(TimeSpan.FromSeconds(TwoApiNodes.LatencySeconds) + TimeSpan.FromMilliseconds(500));
            using var http = Client(nodeC, nodes.AdminToken);
            await HttpAssert.Ok(await http.GetAsync("/api/users/me"));
        }
        string[] names = ["revoked", "deactivated", "renamed", "unchanged"];
        var users = new List<(string Access, string Sid, int Id)>();
        foreach (var name in names)
        {
            var login = await nodes.CreateUserAndLoginAsync(ServiceFixture.UniqueName("mn-keep-" + name), Password);
            var access = login.GetProperty("accessToken").GetString()!;
            users.Add((access, JwtClaims.Claim(access, "sid"), login.GetProperty("id").GetInt32()));
        }
        int Checks(int user) => counter.Count(nameof(IUserGrain.CheckSession), users[user].Sid);
        async Task<JsonElement[]> RoundAsync()
        {
            // Each round starts past every answer's latency.
            time.Advance(TimeSpan.FromSeconds(TwoApiNodes.LatencySeconds) + TimeSpan.FromMilliseconds(500));
            var answers = new List<JsonElement>();
            foreach (var (access, _, _) in users)
            {
                using var http = Client(nodeC, access);
                answers.Add(await HttpAssert.Ok(await http.GetAsync("/api/users/me")));
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
            return [.. answers];
        }

        // Each answer is asked for once: neither a user's creation nor a login changes an answer a node holds.
        for (var round = 0; round < 3; round++) await RoundAsync();
        var settled = Enumerable.Range(0, users.Count).Select(Checks).ToArray();
        Assert.All(settled, checks => Assert.Equal(1, checks));
        // 20 more rounds, each past the latency: no user grain is asked.
        for (var round = 0; round < 20; round++) await RoundAsync();
        Assert.Equal(settled, Enumerable.Range(0, users.Count).Select(Checks).ToArray());

        // Through node A: one user logs out, one user is deactivated, one renamed.
        using (var logout = await SendAsync(nodes.NodeA, HttpMethod.Post, "/api/users/logout", users[0].Access))
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using (var deactivate = await SendAsync(nodes.NodeA, HttpMethod.Patch, $"/api/users/{users[1].Id}", nodes.AdminToken, JsonContent.Create(new { status = 2 })))
            await HttpAssert.Ok(deactivate);
        var renamed = ServiceFixture.UniqueName("mn-keep-new-name");
        using (var rename = await SendAsync(nodes.NodeA, HttpMethod.Patch, $"/api/users/{users[2].Id}", nodes.AdminToken, JsonContent.Create(new { username = renamed })))
            await HttpAssert.Ok(rename);

        // A second later on node C's clock (its view of the changes is then renewed), each shows.
        time.Advance(UserChangeFeed.MaxAge);
        using (var http = Client(nodeC, users[0].Access))
            await HttpAssert.InvalidToken(await http.GetAsync("/api/users/me"), "Token has been revoked");
        using (var http = Client(nodeC, users[1].Access))
            await HttpAssert.InvalidToken(await http.GetAsync("/api/users/me"), "User is not active");
        using (var http = Client(nodeC, users[2].Access))
            Assert.Equal(renamed, (await HttpAssert.Ok(await http.GetAsync("/api/users/me"))).GetProperty("username").GetString());
        using (var http = Client(nodeC, users[3].Access))
            await HttpAssert.Ok(await http.GetAsync("/api/users/me"));
        Assert.Equal(settled[3], Checks(3));

        // The unchanged user's answer is asked for again once it is a minute old.
        time.Advance(IUserChangesGrain.KeepAtMost);
        using (var http = Client(nodeC, users[3].Access))
            await HttpAssert.Ok(await http.GetAsync("/api/users/me"));
        Assert.Equal(settled[3] + 1, Checks(3));
    }

    [Fact]
    public async Task With_KeepUnchanged_off_a_node_asks_again_once_per_latency()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counter = new GrainCallCounter();
        var countingFactory = counter.Wrap(nodes.Cluster.Client);
        await using var node = new ApiFactory(nodes.Cluster.Client, time, new Dictionary<string, string?> { ["Revocation:KeepUnchanged"] = "false" })
            .WithWebHostBuilder(b => b.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton(countingFactory))));
        var login = await nodes.CreateUserAndLoginAsync(ServiceFixture.UniqueName("mn-nokeep"), Password);
        var access = login.GetProperty("accessToken").GetString()!;

        const int Rounds = 6;
        for (var round = 0; round < Rounds; round++)
        {
            time.Advance(TimeSpan.FromSeconds(TwoApiNodes.LatencySeconds) + TimeSpan.FromMilliseconds(500));
            using var http = Client(node, access);
            await HttpAssert.Ok(await http.GetAsync("/api/users/me"));
        }
        Assert.Equal(Rounds, counter.Count(nameof(IUserGrain.CheckSession), JwtClaims.Claim(access, "sid")));
    }

    /// <summary>
    /// Node B again, its grain factory observed (product code unchanged), and a fresh user's
    /// access token that this node has not checked yet.
    /// </summary>
    private async Task<(GrainCallCounter Counter, WebApplicationFactory<Program> Node, string Access)> CountedNodeAndTokenAsync(string prefix)
    {
        var counter = new GrainCallCounter();
        var countingFactory = counter.Wrap(nodes.Cluster.Client);
        var node = nodes.NodeB.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.Replace(ServiceDescriptor.Singleton(countingFactory))));
        var login = await nodes.CreateUserAndLoginAsync(ServiceFixture.UniqueName(prefix), Password);
        return (counter, node, login.GetProperty("accessToken").GetString()!);
    }

    private void AssertOneCheckPerInterval(GrainCallCounter counter, string access, int requests, string how, TimeSpan elapsed)
    {
        var checks = counter.Count(nameof(IUserGrain.CheckSession), JwtClaims.Claim(access, "sid"));
        var intervals = 1 + (int)Math.Floor(elapsed / TimeSpan.FromSeconds(TwoApiNodes.LatencySeconds));
        output.WriteLine($"{requests} {how} requests in {elapsed.TotalMilliseconds:F0} ms on one node cost {checks} CheckSession call(s) " +
                         $"(allowed: one per {TwoApiNodes.LatencySeconds} s interval begun: {intervals})");
        Assert.InRange(checks, 1, intervals);
    }

    private static HttpClient Client(WebApplicationFactory<Program> node, string bearer)
    {
        var http = node.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }

    /// <summary>The token works on both nodes, which also fills each node's revocation cache.</summary>
    private async Task AcceptedOnBothNodesAsync(string access, string? tenant = null)
    {
        foreach (var (name, node) in new[] { ("A", nodes.NodeA), ("B", nodes.NodeB) })
        {
            using var response = await SendAsync(node, HttpMethod.Get, "/api/users/me", access, tenant: tenant);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"node {name}: {(int)response.StatusCode} {text}");
        }
    }

    /// <summary>
    /// Polls node B until it refuses the token. No request that starts later than the latency
    /// after the revocation may still be accepted.
    /// </summary>
    private async Task RefusedOnNodeBWithinLatencyAsync(string access, string message, Stopwatch sinceRevocation, string what, string? tenant = null)
    {
        var latency = TimeSpan.FromSeconds(TwoApiNodes.LatencySeconds);
        TimeSpan? lastAccepted = null;
        var polls = 0;
        while (true)
        {
            var started = sinceRevocation.Elapsed;
            using var response = await SendAsync(nodes.NodeB, HttpMethod.Get, "/api/users/me", access, tenant: tenant);
            polls++;
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                await HttpAssert.InvalidToken(response, message);
                output.WriteLine($"{what}: node B refused the token {started.TotalMilliseconds:F0} ms after node A answered " +
                                 $"(poll {polls}; last accepted request started at {(lastAccepted is { } t ? $"{t.TotalMilliseconds:F0} ms" : "none")}; latency {latency.TotalMilliseconds:F0} ms)");
                Assert.True(lastAccepted is null || lastAccepted <= latency + Tolerance,
                    $"{what}: node B still accepted a request started {lastAccepted?.TotalMilliseconds:F0} ms after the revocation");
                return;
            }

            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what}: node B answered {(int)response.StatusCode} {text}");
            lastAccepted = started;
            Assert.True(sinceRevocation.Elapsed < Deadline, $"{what}: node B still accepts the token {Deadline.TotalSeconds} s after the revocation");
            await Task.Delay(PollInterval);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(ApiFactory node, HttpMethod method, string path, string? bearer, HttpContent? content = null, string? tenant = null)
    {
        // Not disposed: the caller reads the answer after this returns (a TestServer client holds no socket).
        var http = node.CreateClient();
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (tenant is not null) request.Headers.Add("X-Tenant", tenant);
        return await http.SendAsync(request);
    }
}

/// <summary>
/// One in-memory cluster and two API nodes (each with its own tenant and revocation caches);
/// the default tenant's revocation latency set to 1 s through node A and seen by node B.
/// </summary>
public sealed class TwoApiNodes : IAsyncLifetime
{
    public const int LatencySeconds = 1;

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public ApiFactory NodeA { get; private set; } = null!;
    public ApiFactory NodeB { get; private set; } = null!;
    public string AdminToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync();
        NodeA = new ApiFactory(Cluster.Client);
        NodeB = new ApiFactory(Cluster.Client);

        AdminToken = (await LoginAsync("admin", TestSettings.AdminPassword)).GetProperty("accessToken").GetString()!;
        using (var http = Client(NodeA, AdminToken))
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, "/api/tenants/default")
            {
                Content = JsonContent.Create(new { revocationLatencySeconds = LatencySeconds }),
            };
            using var response = await http.SendAsync(request);
            var tenant = await HttpAssert.Ok(response);
            Assert.Equal(LatencySeconds, tenant.GetProperty("settings").GetProperty("revocationLatencySeconds").GetInt32());
        }

        // Node B applies the change within its tenant cache's age: wait for it, with a deadline.
        using var atB = Client(NodeB, AdminToken);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var tenant = await HttpAssert.Ok(await atB.GetAsync("/api/tenants/default"));
            if (tenant.GetProperty("settings").GetProperty("revocationLatencySeconds").GetInt32() == LatencySeconds) break;
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException("node B did not see revocationLatencySeconds = 1 within 10 s");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await NodeA.DisposeAsync();
        await NodeB.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>Logs in through node A.</summary>
    public async Task<JsonElement> LoginAsync(string username, string password)
    {
        using var http = NodeA.CreateClient();
        using var response = await http.PostAsJsonAsync("/api/users/login", new { username, password });
        return await HttpAssert.Ok(response);
    }

    /// <summary>An admin creates the user through node A; the user then logs in through node A.</summary>
    public async Task<JsonElement> CreateUserAndLoginAsync(string username, string password)
    {
        using (var http = Client(NodeA, AdminToken))
        {
            using var created = await http.PostAsJsonAsync("/api/users", new { username, password });
            await HttpAssert.Ok(created, HttpStatusCode.Created);
        }
        return await LoginAsync(username, password);
    }

    private static HttpClient Client(ApiFactory node, string bearer)
    {
        var http = node.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }
}
