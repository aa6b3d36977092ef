using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// Refresh rotation when one user grain has two activations at once, as it can during a
/// membership change. Simulated with two in-process clusters of the same service id: each has
/// its own membership, so each activates its own copy of the same grain, and both store into
/// the same PostgreSQL row. The storage ETag must make one of two racing rotations fail, so a
/// session never has two live successors and nothing is handed out that was not stored.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class RotationRaceTests(ITestOutputHelper output)
{
    private const string Tenant = "default";
    private const string Password = "Race-Pass-Word-9";

    [Fact]
    public async Task A_refresh_racing_a_second_activation_of_the_user_never_yields_two_live_successors()
    {
        const int Users = 4;
        const int Rounds = 6;
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"race-{Guid.NewGuid():N}";
        var clusters = new List<InProcessTestCluster>();
        try
        {
            var a = await StartAsync(clusters, connectionString, serviceId);
            // The calls of this test carry the version that turned rotation on, as an API node's calls do.
            SeenTenantVersion.Carry(Tenant, await TurnRotationOnAsync(a));
            var sessions = new List<UserSession>();
            for (var i = 0; i < Users; i++) sessions.Add(await CreateAndLoginAsync(a, $"race{i}"));

            // B starts after every write to the tenant; its copies of the users are loaded before
            // A rotates anything, so both hold the same version of each user's state.
            var b = await StartAsync(clusters, connectionString, serviceId);
            var nodes = new[] { ("A", a), ("B", b) };

            var tallies = await Task.WhenAll(sessions.Select(s => RaceRoundsAsync(s, nodes, Rounds)));

            var wins = tallies.SelectMany(t => t).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine($"{Users} users x {Rounds} rounds: " + string.Join(", ", wins.OrderBy(w => w.Key).Select(w => $"{w.Key} {w.Value}")));

            // A fresh activation (a third cluster) sees as current exactly the successors answered.
            var c = await StartAsync(clusters, connectionString, serviceId);
            foreach (var session in sessions)
            {
                var user = User(c, session.UserId);
                var check = await user.CheckSession(session.Sid);
                Assert.True(check.SessionActive, $"user {session.UserId}: the session was revoked by the race");
                Assert.Equal(Jti(session.Current), check.CurrentRefreshJti);

                var next = await user.Refresh(session.Sid, Jti(session.Current));
                Assert.Equal(TokenError.None, next.Error);
                Assert.NotEqual(session.Current, next.Refresh!.Token);
            }
        }
        finally
        {
            await DisposeAllAsync(clusters);
        }
    }

    [Fact]
    public async Task A_stale_activation_cannot_rotate_a_token_already_spent_by_another_activation()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"race-{Guid.NewGuid():N}";
        var clusters = new List<InProcessTestCluster>();
        try
        {
            var a = await StartAsync(clusters, connectionString, serviceId);
            // The calls of this test carry the version that turned rotation on, as an API node's calls do.
            SeenTenantVersion.Carry(Tenant, await TurnRotationOnAsync(a));
            var session = await CreateAndLoginAsync(a, "stale");
            var first = session.Current;

            var b = await StartAsync(clusters, connectionString, serviceId);
            Assert.NotNull(await User(b, session.UserId).GetProfile()); // B's copy now holds the login state

            var rotated = await User(a, session.UserId).Refresh(session.Sid, Jti(first));
            Assert.Equal(TokenError.None, rotated.Error);
            var successor = rotated.Refresh!.Token;
            Assert.NotEqual(first, successor);

            // B still believes the first token is current: its rotation must not be stored, so it
            // must not answer.
            var stale = await Record.ExceptionAsync(() => User(b, session.UserId).Refresh(session.Sid, Jti(first)));
            AssertStorageConflict(stale, "B's refresh with its stale copy");

            // The client retries through B: B dropped its stale copy and now replays A's answer,
            // byte for byte, instead of making another successor.
            var retry = await User(b, session.UserId).Refresh(session.Sid, Jti(first));
            Assert.Equal(TokenError.None, retry.Error);
            Assert.Equal(successor, retry.Refresh!.Token);
            Assert.Equal(rotated.Access!.Token, retry.Access!.Token);

            var c = await StartAsync(clusters, connectionString, serviceId);
            var check = await User(c, session.UserId).CheckSession(session.Sid);
            Assert.True(check.SessionActive);
            Assert.Equal(Jti(successor), check.CurrentRefreshJti);
            var next = await User(c, session.UserId).Refresh(session.Sid, Jti(successor));
            Assert.Equal(TokenError.None, next.Error);
        }
        finally
        {
            await DisposeAllAsync(clusters);
        }
    }

    /// <summary>
    /// Rounds of one user's race: both copies loaded with the same state, then the current token
    /// refreshed through A and B at once. Answers which node won each round.
    /// </summary>
    private async Task<List<string>> RaceRoundsAsync(UserSession session, (string Name, InProcessTestCluster Cluster)[] nodes, int rounds)
    {
        var winners = new List<string>();
        for (var round = 1; round <= rounds; round++)
        {
            // A copy that lost the previous round was dropped: this reloads it from storage.
            foreach (var (_, cluster) in nodes) Assert.NotNull(await User(cluster, session.UserId).GetProfile());

            var presented = session.Current;
            var attempts = nodes.Select(n => AttemptAsync(n.Name, n.Cluster, session, presented)).ToList();
            var outcomes = await Task.WhenAll(attempts);
            var where = $"user {session.UserId}, round {round}";

            var answered = outcomes.Where(o => o.Result is not null).ToList();
            foreach (var o in answered)
                Assert.True(o.Result!.Error == TokenError.None, $"{where}: {o.Node} answered {o.Result.Error} to the current token");
            var successors = answered.Select(o => o.Result!.Refresh!.Token).Distinct().ToList();
            Assert.True(successors.Count <= 1, $"{where}: two live successors: {string.Join(" | ", successors.Select(Jti))}");

            foreach (var loser in outcomes.Where(o => o.Result is null))
                AssertStorageConflict(loser.Error, $"{where}: {loser.Node}");

            if (successors.Count == 0)
            {
                // Both failed (possible, never harmful): the presented token must still be current.
                winners.Add("none");
                continue;
            }
            var winner = answered[0];
            winners.Add(answered.Count == 2 ? "both (same answer)" : winner.Node);
            Assert.NotEqual(presented, successors[0]);
            Assert.Equal(session.Sid, Sid(successors[0]));

            // A client whose call failed retries through the same node: it gets the winner's
            // answer again, never a successor of its own.
            foreach (var loser in outcomes.Where(o => o.Result is null))
            {
                var retry = await User(nodes.Single(n => n.Name == loser.Node).Cluster, session.UserId).Refresh(session.Sid, Jti(presented));
                Assert.True(retry.Error == TokenError.None, $"{where}: {loser.Node}'s retry answered {retry.Error}");
                Assert.Equal(successors[0], retry.Refresh!.Token);
                Assert.Equal(winner.Result!.Access!.Token, retry.Access!.Token);
            }
            session.Current = successors[0];
        }
        return winners;
    }

    private static async Task<Outcome> AttemptAsync(string node, InProcessTestCluster cluster, UserSession session, string presented)
    {
        await Task.Yield();
        try
        {
            return new Outcome(node, await User(cluster, session.UserId).Refresh(session.Sid, Jti(presented)), null);
        }
        catch (Exception ex)
        {
            return new Outcome(node, null, ex);
        }
    }

    /// <summary>The call failed, and it failed because the storage refused a stale write.</summary>
    private static void AssertStorageConflict(Exception? error, string what)
    {
        Assert.True(error is not null, $"{what} did not fail");
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is InconsistentStateException) return;
        }
        Assert.Fail($"{what} failed with {error!.GetType().Name}, not a storage conflict: {error.Message}");
    }

    private static async Task<InProcessTestCluster> StartAsync(List<InProcessTestCluster> clusters, string connectionString, string serviceId)
    {
        var cluster = await TestClusters.StartAsync(1, connectionString, serviceId);
        clusters.Add(cluster);
        return cluster;
    }

    private static async Task DisposeAllAsync(List<InProcessTestCluster> clusters)
    {
        foreach (var cluster in clusters) await cluster.DisposeAsync();
    }

    private static async Task<int> TurnRotationOnAsync(InProcessTestCluster cluster)
    {
        var (tenant, error) = await cluster.Client.GetGrain<ITenantGrain>(Tenant).UpdateSettings(new TenantSettingsPatch().Set(s => s.RefreshTokenRotation, true));
        Assert.Null(error);
        Assert.True(tenant!.Settings.RefreshTokenRotation);
        return tenant.Version;
    }

    private static async Task<UserSession> CreateAndLoginAsync(InProcessTestCluster cluster, string prefix)
    {
        var username = ServiceFixture.UniqueName(prefix);
        var created = await cluster.Client.GetGrain<IUserRegistryGrain>(0).CreateUser(Tenant,
            new NewUser(username, Password, null, UserTypes.User, false, null, "en", "UTC"));
        Assert.True(created.Error == UserChangeError.None, $"creating {username}: {created.Error} {created.Detail}");
        var login = await cluster.Client.GetGrain<IAuthenticationGrain>(0).Login(Tenant, username, Password, "127.0.0.1");
        Assert.Equal(TokenError.None, login.Error);
        var refresh = login.Refresh!.Token;
        return new UserSession(created.User!.Id, Sid(refresh)) { Current = refresh };
    }

    private static IUserGrain User(InProcessTestCluster cluster, int userId) =>
        cluster.Client.GetGrain<IUserGrain>(GrainKeys.User(Tenant, userId));

    private static string Jti(string token) => JwtClaims.Claim(token, "jti");

    private static string Sid(string token) => JwtClaims.Claim(token, "sid");

    private sealed record UserSession(int UserId, string Sid)
    {
        /// <summary>The refresh token the client holds now.</summary>
        public required string Current { get; set; }
    }

    private sealed record Outcome(string Node, RefreshResult? Result, Exception? Error);
}
