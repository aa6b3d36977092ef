using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.Runtime;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace ItemPathOrleans.Tests.Faults;

/// <summary>
/// Fail-over of a 3-silo cluster with PostgreSQL clustering and storage (see
/// <see cref="FaultCluster"/>), under continuous login and refresh load with rotation on, driven
/// through the HTTP API by 12 clients (<see cref="RotationLoad"/>). One silo is killed (test 1) or
/// stops gracefully (test 2) mid-run: the one hosting the most user grains, or the most idle
/// sessions. Afterwards every token the clients were answered must still work (access tokens
/// validate; each session's latest refresh token refreshes), no refresh token may have had two
/// different successors, and only each session's last refresh token is live.
///
/// The kill is the testing host's: the silo's host is stopped with its shutdown cancelled, so its
/// activations are dropped without deactivating and the requests it was serving are never
/// answered, but Orleans' membership agent still marks it Dead in the table on the way down (the
/// survivors learn of it from there, not by probing a silent peer).
/// </summary>
[Collection(FaultsCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const string Tenant = "default";
    private const string Password = "Failover-Pass-31";
    private const int Clients = 12;

    /// <summary>Cheaper hashes than production: the load is about fail-over, not Argon2id.</summary>
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Passwords:MemoryKib"] = "8192",
        ["Passwords:Iterations"] = "1",
    };

    /// <summary>The API's own log of each 503 would bury the figures: the load records every failed call itself.</summary>
    private static readonly Dictionary<string, string?> ApiSettings = new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:ItemPathOrleans.Api.Cluster.ErrorBoundary"] = "Error",
    };

    /// <summary>
    /// Failures must end this soon after the kill: a call the dead silo was serving fails when the
    /// response timeout (10 s) ends, and the survivors know of the death long before. Well inside
    /// refreshReuseGraceSeconds (30), so a lost rotation answer can still be replayed.
    /// </summary>
    private static readonly TimeSpan FailoverWindow = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Failed calls allowed during the fail-over, on average per client: the call each client had
    /// in flight on the dead silo, and one retry. (A client failing all through the window, backing
    /// off up to 0.5 s, would fail some 40 times.)
    /// </summary>
    private const int MaxFailedCallsPerClient = 2;

    /// <summary>
    /// Successful calls each client makes before the event (enough for every client to have
    /// rotated sessions on every silo), and again after it (each client, the ones whose call hung
    /// until the response timeout included: so the load runs on well past the recovery).
    /// </summary>
    private const int CallsBefore = 75;
    private const int CallsAfter = 150;

    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    /// <summary>A hung fail-over fails the test instead of holding up the suite.</summary>
    private const int TestTimeout = 240_000;

    [Fact(Timeout = TestTimeout)]
    public async Task A_silo_killed_under_rotation_load_loses_no_token_and_forks_no_session()
    {
        await using var faults = await FaultCluster.StartAsync(output, 3, Settings);
        await TurnRotationOnAsync(faults.Client);
        var users = await CreateUsersAsync(faults.Client, Clients, "kill");
        await using var api = new ApiFactory(faults.Client, settings: ApiSettings);
        var load = new RotationLoad(api, users);
        load.Start();
        try
        {
            Assert.True(await load.WaitUntilAsync(() => load.SuccessesSnapshot().All(s => s >= CallsBefore), Bounded), "the load did not get going");

            // Killed, not stopped: its activations are dropped without deactivating and the calls
            // they were serving get no answer.
            var victim = await PickVictimAsync(faults);
            var killAt = load.Clock.Elapsed;
            var kill = faults.Cluster.KillSiloAsync(victim);
            var declaredDead = await faults.WaitUntilDeclaredDeadAsync(victim, Bounded);
            var dead = load.Clock.Elapsed;
            // KillSiloAsync stops the host, then disposes it; the disposal can wait for ever on a
            // stateless worker activation (a login) whose request can no longer finish on a silo
            // that is gone. The silo is dead by then: the fail-over does not wait for it.
            try
            {
                await kill.WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception) when (!kill.IsCompletedSuccessfully)
            {
                // Still disposing after 15 s (reported below), or failed: observed just after.
            }
            var killed = kill.IsCompleted;
            _ = kill.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            output.WriteLine($"killed {victim.Name} ({victim.SiloAddress}) at {killAt.TotalSeconds:0.000}s: its row said Dead in PostgreSQL "
                + (declaredDead ? $"{(dead - killAt).TotalSeconds:0.000}s after the kill began" : "never")
                + (killed ? $", the kill returned after {(load.Clock.Elapsed - killAt).TotalSeconds:0.000}s" : ", the kill had stopped the silo but not finished disposing it 15 s later"));
            Assert.True(declaredDead, $"{victim.Name} was never marked dead in the membership table");

            // Run on until every client has done plenty after the survivors took over.
            var atDeath = load.SuccessesSnapshot();
            var goingOn = await load.WaitUntilAsync(() => load.SuccessesSnapshot().Select((s, i) => s - atDeath[i]).All(d => d >= CallsAfter), Bounded);
            await load.StopAsync();
            var calls = load.Calls.ToList();
            Report(load, calls, killAt, "kill");
            Assert.Empty(load.Violations);
            Assert.True(goingOn, "some client did not get going again after the fail-over: " + string.Join(", ", load.SuccessesSnapshot().Select((s, i) => s - atDeath[i])));

            var failed = calls.Where(c => !c.Ok).ToList();
            Assert.True(failed.All(f => f.End >= killAt), "calls failed before the kill:\n" + string.Join("\n", failed.Where(f => f.End < killAt).Take(10)));
            var late = failed.Where(f => f.End > killAt + FailoverWindow).ToList();
            Assert.True(late.Count == 0, $"calls failed more than {FailoverWindow.TotalSeconds} s after the kill:\n" + string.Join("\n", late.Take(10)));
            Assert.True(failed.Count <= Clients * MaxFailedCallsPerClient,
                $"{failed.Count} failed calls during the fail-over (at most {Clients * MaxFailedCallsPerClient} expected)");
            AssertEveryClientRecovered(load, calls);

            await VerifyLedgerAsync(faults, api, load);
        }
        finally
        {
            await load.StopAsync();
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_graceful_silo_stop_under_rotation_load_fails_no_call_and_loses_nothing()
    {
        await using var faults = await FaultCluster.StartAsync(output, 3, Settings);
        await TurnRotationOnAsync(faults.Client);
        var users = await CreateUsersAsync(faults.Client, Clients, "stop");

        // Idle sessions: used only through the revocation check, which keeps lastUsedAt in memory;
        // the silo that stops must store it as its grains deactivate.
        var idleUsers = await CreateUsersAsync(faults.Client, 9, "idle");
        await using var api = new ApiFactory(faults.Client, settings: ApiSettings);
        var idle = new List<(int UserId, string Sid, long LoginSecond)>();
        using (var http = api.CreateClient())
        {
            foreach (var (username, password) in idleUsers)
            {
                var login = await PostJsonAsync(http, "/api/users/login", new { username, password });
                var refresh = login.GetProperty("refreshToken").GetString()!;
                idle.Add((int.Parse(JwtClaims.Claim(refresh, "uid"), CultureInfo.InvariantCulture), JwtClaims.Claim(refresh, "sid"),
                    long.Parse(JwtClaims.Claim(refresh, "iat"), CultureInfo.InvariantCulture)));
            }
        }

        var load = new RotationLoad(api, users);
        load.Start();
        try
        {
            Assert.True(await load.WaitUntilAsync(() => load.SuccessesSnapshot().All(s => s >= CallsBefore), Bounded), "the load did not get going");

            // The silo to stop: the one with the most idle users (at least 3 of 9).
            var management = faults.Client.GetGrain<IManagementGrain>(0);
            var idleHosts = new Dictionary<(int UserId, string Sid, long LoginSecond), SiloAddress?>();
            foreach (var session in idle) idleHosts[session] = await management.GetActivationAddress(UserGrain(faults.Client, session.UserId));
            var victim = faults.Cluster.Silos.OrderByDescending(s => idleHosts.Values.Count(h => s.SiloAddress.Equals(h))).First();
            var onVictim = idle.Where(s => victim.SiloAddress.Equals(idleHosts[s])).ToList();
            Assert.NotEmpty(onVictim);

            // Use them now (a later second than their login), as the API's revocation check does.
            var latestLogin = onVictim.Max(s => s.LoginSecond);
            Assert.True(await load.WaitUntilAsync(() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() > latestLogin, TimeSpan.FromSeconds(3)));
            var usedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            foreach (var session in onVictim) Assert.True((await UserGrain(faults.Client, session.UserId).CheckSession(session.Sid)).SessionActive);

            var stopAt = load.Clock.Elapsed;
            var stop = faults.Cluster.StopSiloAsync(victim);
            Assert.True(await Task.WhenAny(stop, Task.Delay(Bounded)) == stop, $"StopSiloAsync({victim.Name}) did not return");
            await stop;
            var stopped = load.Clock.Elapsed;
            var membership = await faults.MembershipAsync();
            output.WriteLine($"stopped {victim.Name} ({victim.SiloAddress}) gracefully at {stopAt.TotalSeconds:0.000}s in {(stopped - stopAt).TotalSeconds:0.000}s; "
                + $"its membership row says {membership.GetValueOrDefault(victim.SiloAddress.ToParsableString())} (6 = Dead); {onVictim.Count} idle sessions were on it");

            var atStop = load.SuccessesSnapshot();
            var goingOn = await load.WaitUntilAsync(() => load.SuccessesSnapshot().Select((s, i) => s - atStop[i]).All(d => d >= CallsAfter), Bounded);
            await load.StopAsync();

            var calls = load.Calls.ToList();
            Report(load, calls, stopAt, "graceful stop");
            Assert.Empty(load.Violations);
            Assert.True(goingOn, "some client did not go on after the stop");
            var failed = calls.Where(c => !c.Ok).ToList();
            Assert.True(failed.Count == 0, $"{failed.Count} calls failed around a graceful stop:\n" + string.Join("\n", failed.Take(20)));

            // Nothing lost: the idle sessions' last use was stored as their grains left the stopping silo.
            foreach (var session in onVictim)
            {
                var sessions = await UserGrain(faults.Client, session.UserId).ListSessions();
                var info = Assert.Single(sessions, s => s.Id == session.Sid);
                Assert.True(info.LastUsedAt?.ToUnixTimeSeconds() >= usedAt,
                    $"user {session.UserId}: lastUsedAt {info.LastUsedAt:O} was not stored at deactivation (used at {DateTimeOffset.FromUnixTimeSeconds(usedAt):O})");
            }

            await VerifyLedgerAsync(faults, api, load);
        }
        finally
        {
            await load.StopAsync();
        }
    }

    /// <summary>The silo hosting the most user grains: the kill then hits the most sessions.</summary>
    private async Task<InProcessSiloHandle> PickVictimAsync(FaultCluster faults)
    {
        var statistics = await faults.Client.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        // Grain types read "Namespace.Class,Assembly".
        var users = statistics.Where(s => s.GrainType.Split(',')[0] == typeof(ItemPathOrleans.Grains.Users.UserGrain).FullName).ToList();
        int On(InProcessSiloHandle silo) => users.Where(u => u.SiloAddress.Equals(silo.SiloAddress)).Sum(u => u.ActivationCount);
        output.WriteLine("user grains per silo: " + string.Join(", ", faults.Cluster.Silos.Select(s => $"{s.Name} {On(s)}")));
        var victim = faults.Cluster.Silos.OrderByDescending(On).First();
        Assert.True(On(victim) > 0, "no silo hosts a user grain");
        return victim;
    }

    /// <summary>Every client went on succeeding after its own last failure.</summary>
    private static void AssertEveryClientRecovered(RotationLoad load, List<CallRecord> calls)
    {
        for (var client = 0; client < load.Clients; client++)
        {
            var mine = calls.Where(c => c.Client == client).ToList();
            var lastFailure = mine.Where(c => !c.Ok).Select(c => c.End).DefaultIfEmpty(TimeSpan.Zero).Max();
            var after = mine.Count(c => c.Ok && c.Start >= lastFailure);
            Assert.True(after >= 10, $"client {client}: only {after} successful calls after its last failure at {lastFailure.TotalSeconds:0.000}s");
        }
    }

    /// <summary>The figures: calls, failures by kind and status, and a per-second timeline around the event.</summary>
    private void Report(RotationLoad load, List<CallRecord> calls, TimeSpan eventAt, string what)
    {
        var failed = calls.Where(c => !c.Ok).ToList();
        output.WriteLine($"{what}: {load.Clients} clients, {calls.Count} calls in {load.Clock.Elapsed.TotalSeconds:0.0}s "
            + $"({string.Join(", ", calls.GroupBy(c => c.Kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}), "
            + $"{load.Chains.Count} sessions, {load.Chains.Sum(c => c.RefreshTokens.Count - 1)} rotations");
        output.WriteLine($"failed calls: {failed.Count} ({string.Join(", ", failed.GroupBy(f => (f.Kind, f.Status)).Select(g => $"{g.Count()} {g.Key.Kind} {(g.Key.Status == 0 ? "no answer" : g.Key.Status)}"))})");
        if (failed.Count > 0)
        {
            var first = failed.Min(f => f.End) - eventAt;
            var last = failed.Max(f => f.End) - eventAt;
            output.WriteLine($"failures from {first.TotalSeconds:+0.000;-0.000}s to {last.TotalSeconds:+0.000;-0.000}s after the {what}: time to recover {last.TotalSeconds:0.000}s; "
                + $"most failures of one client {failed.GroupBy(f => f.Client).Max(g => g.Count())}");
            foreach (var reason in failed.GroupBy(f => f.Error ?? "").OrderByDescending(g => g.Count()).Take(5))
                output.WriteLine($"  {reason.Count()} x {reason.Key}");
        }
        var slowest = calls.Where(c => c.Ok).MaxBy(c => c.End - c.Start);
        if (slowest is not null) output.WriteLine($"slowest successful call: {(slowest.End - slowest.Start).TotalSeconds:0.000}s ({slowest})");
        var from = (int)Math.Floor(eventAt.TotalSeconds) - 1;
        var to = (int)Math.Ceiling(calls.Max(c => c.End).TotalSeconds);
        output.WriteLine("per second (from the start: ok/failed): " + string.Join(" ", Enumerable.Range(from, Math.Max(0, to - from)).Select(s =>
            $"{s}s:{calls.Count(c => c.Ok && (int)c.End.TotalSeconds == s)}/{calls.Count(c => !c.Ok && (int)c.End.TotalSeconds == s)}")));
        foreach (var violation in load.Violations.Take(20)) output.WriteLine("VIOLATION " + violation);
    }

    /// <summary>
    /// What the clients were answered against what the cluster holds: each session active with
    /// its latest refresh token current, that token refreshing, every access token validating,
    /// and a spent token of each session refused (it revokes that session, as reuse must).
    /// </summary>
    private async Task VerifyLedgerAsync(FaultCluster faults, ApiFactory api, RotationLoad load)
    {
        var chains = load.Chains;
        using var http = api.CreateClient();

        var answers = 0;
        var broken = new List<string>();
        foreach (var chain in chains)
        {
            // No refresh token had two successors: each presented token got one answer, and the
            // successors form one line (a successor is never one of the chain's earlier tokens).
            Assert.Equal(chain.RefreshTokens.Count - 1, chain.Answers.Count);
            for (var i = 1; i < chain.RefreshTokens.Count; i++)
                Assert.Equal(chain.RefreshTokens[i], chain.Answers[chain.RefreshTokens[i - 1]].Refresh);
            Assert.Equal(chain.RefreshTokens.Count, chain.RefreshTokens.Distinct(StringComparer.Ordinal).Count());
            answers += chain.Answers.Count;

            var check = await UserGrain(faults.Client, chain.UserId).CheckSession(chain.SessionId);
            if (!check.SessionActive)
                broken.Add(await DescribeAsync(faults, load, chain, $"session {chain.SessionId} is not active"));
            else if (RotationLoad.Jti(chain.Current) != check.CurrentRefreshJti)
                broken.Add(await DescribeAsync(faults, load, chain, $"the stored current refresh token {check.CurrentRefreshJti} is not the last one answered"));
        }
        Assert.True(broken.Count == 0, $"{broken.Count} of {chains.Count} sessions are not as their clients were answered:\n" + string.Join("\n", broken.Take(5)));

        // The latest refresh token of every session refreshes, into an access token that works.
        var finalAccess = new List<string>();
        foreach (var chain in chains)
        {
            using var response = await SendAsync(http, HttpMethod.Post, "/api/users/refresh", chain.Current);
            var body = await JsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{chain.Username}: the latest refresh token answered {(int)response.StatusCode} {body}");
            Assert.NotEqual(chain.Current, body.GetProperty("refreshToken").GetString());
            finalAccess.Add(body.GetProperty("accessToken").GetString()!);
        }

        // Every access token answered before, during and after the fail-over validates.
        var accessTokens = chains.SelectMany(c => c.AccessTokens).Concat(finalAccess).ToList();
        var rejected = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(accessTokens, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (token, _) =>
        {
            using var response = await SendAsync(http, HttpMethod.Get, "/api/users/me", token);
            if (response.StatusCode != HttpStatusCode.OK)
                rejected.Enqueue($"{JwtClaims.Claim(token, "sub")} access token {RotationLoad.Jti(token)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        });
        output.WriteLine($"ledger: {chains.Count} sessions, {answers} refresh answers, each with one successor; {accessTokens.Count} access tokens validated in {started.Elapsed.TotalSeconds:0.0}s");
        Assert.True(rejected.IsEmpty, $"{rejected.Count} access tokens rejected:\n" + string.Join("\n", rejected.Take(10)));

        // Only the last successor is live: a spent token (its successor presented) is refused and
        // revokes its session.
        var spentChecked = 0;
        foreach (var chain in chains.Where(c => c.RefreshTokens.Count >= 2))
        {
            using var response = await SendAsync(http, HttpMethod.Post, "/api/users/refresh", chain.RefreshTokens[^2]);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
                $"{chain.Username}: a spent refresh token answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.False((await UserGrain(faults.Client, chain.UserId).CheckSession(chain.SessionId)).SessionActive);
            spentChecked++;
        }
        output.WriteLine($"spent refresh tokens refused: {spentChecked} of {spentChecked}");
    }

    /// <summary>What went wrong with one session: its tokens, its client's calls with them, and the user's security events.</summary>
    private static async Task<string> DescribeAsync(FaultCluster faults, RotationLoad load, TokenChain chain, string problem)
    {
        var jtis = chain.RefreshTokens.Select(RotationLoad.Jti).ToList();
        var text = new System.Text.StringBuilder();
        text.AppendLine($"{chain.Username} (user {chain.UserId}, client {chain.Client}): {problem}; opened at {chain.Opened.TotalSeconds:0.000}s, "
            + $"{jtis.Count} refresh tokens: {string.Join(" ", jtis.TakeLast(4))}");
        foreach (var call in load.Calls.Where(c => c.Client == chain.Client && c.Token is not null && jtis.Contains(c.Token)).TakeLast(8))
            text.AppendLine($"    {call}");
        foreach (var e in await faults.SecurityEventsAsync(chain.UserId))
            text.AppendLine($"    event {e}");
        // Asked again (a stale duplicate activation would answer from an old copy), and where the grain lives.
        var user = UserGrain(faults.Client, chain.UserId);
        for (var i = 0; i < 3; i++)
        {
            var again = await user.CheckSession(chain.SessionId);
            text.AppendLine($"    check again: active {again.SessionActive}, current {again.CurrentRefreshJti}");
        }
        var sessions = await user.ListSessions();
        var address = await faults.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(user);
        text.AppendLine($"    {sessions.Count} active sessions, this one {(sessions.Any(x => x.Id == chain.SessionId) ? "among them" : "not among them")}; the grain is on {address}");
        return text.ToString();
    }

    private static async Task TurnRotationOnAsync(IClusterClient client)
    {
        var (tenant, error) = await client.GetGrain<ITenantGrain>(Tenant).UpdateSettings(new TenantSettingsPatch().Set(s => s.RefreshTokenRotation, true).Set(s => s.MaxSessionsPerUser, 10_000));
        Assert.Null(error);
        Assert.True(tenant!.Settings.RefreshTokenRotation);
    }

    private static async Task<List<(string Username, string Password)>> CreateUsersAsync(IClusterClient client, int count, string prefix)
    {
        var users = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            var username = ServiceFixture.UniqueName($"{prefix}{i}");
            var created = await client.GetGrain<IUserRegistryGrain>(0).CreateUser(Tenant,
                new NewUser(username, Password, null, UserTypes.User, false, null, "en", "UTC"));
            Assert.True(created.Error == UserChangeError.None, $"creating {username}: {created.Error} {created.Detail}");
            users.Add((username, Password));
        }
        return users;
    }

    private static IUserGrain UserGrain(IClusterClient client, int userId) => client.GetGrain<IUserGrain>(GrainKeys.User(Tenant, userId));

    private static async Task<JsonElement> PostJsonAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsync(path, System.Net.Http.Json.JsonContent.Create(body));
        var json = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {json}");
        return json;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string bearer)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>The fail-over tests run one at a time: each loads the machine on purpose.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultsCollection
{
    public const string Name = "faults";
}
