using ItemPathOrleans.ClusterNode.OpenId;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// What only grows is swept once past its retention, and nothing younger: the rows a silo leaves
/// of its authorization codes when it dies (no activation ends, so none clears its row), and
/// security events.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class RetentionSweepTests
{
    private const string Password = "Sweep-user-pw-42";
    private const string RedirectUri = "http://127.0.0.1/cb";

    [Fact]
    public async Task Rows_of_codes_past_the_retention_are_swept_and_younger_rows_stay()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"codes-{Guid.NewGuid():N}";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The timer is off: the test runs the sweep itself, so nothing else decides when it runs.
        var cluster = await TestClusters.StartAsync(1, connectionString, serviceId, time,
            new Dictionary<string, string?> { ["Retention:SweepIntervalMinutes"] = "0" });
        try
        {
            var username = ServiceFixture.UniqueName("sweep");
            Assert.Equal(UserChangeError.None, (await cluster.Client.GetGrain<IUserRegistryGrain>(0).CreateUser(
                TenantIds.Default, new NewUser(username, Password, null, UserTypes.User, false, null, "en", "UTC"))).Error);
            var verifier = new string('s', 43);
            var spent = await IssueAsync(cluster, time, username, verifier);
            var abandoned = await IssueAsync(cluster, time, username, verifier);
            var young = await IssueAsync(cluster, time, username, verifier);
            Assert.Equal(CodeError.None, (await Code(cluster, spent).Redeem("app", RedirectUri, verifier)).Error);
            Assert.Equal(3, await CodeRowsAsync(connectionString, serviceId));

            // Two of them were written 61 minutes ago (the default retention is 60).
            await AgeAsync(connectionString, serviceId, TimeSpan.FromMinutes(61), spent, abandoned);
            var sweeper = cluster.Silos[0].ServiceProvider.GetRequiredService<RetentionSweeper>();
            Assert.Equal(2, (await sweeper.SweepOnceAsync()).AuthorizationCodes);
            Assert.Equal([GrainKeys.Code(TenantIds.Default, young)], await CodeKeysAsync(connectionString, serviceId));
            Assert.Equal(0, (await sweeper.SweepOnceAsync()).AuthorizationCodes);

            // The abandoned code's activation still lives. Past its expiry it is refused, and the
            // refusal writes nothing (a write would meet the row that is gone and fail).
            time.Advance(TimeSpan.FromSeconds(61));
            Assert.Equal(CodeError.InvalidCode, (await Code(cluster, abandoned).Redeem("app", RedirectUri, verifier)).Error);
            Assert.Equal(1, await CodeRowsAsync(connectionString, serviceId));
        }
        finally
        {
            await TestClusters.DisposeAsync(cluster, time);
        }
    }

    [Fact]
    public async Task Security_events_past_their_retention_are_swept_and_younger_ones_stay()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var tenant = $"ret-{Guid.NewGuid():N}"[..20];
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using (var insert = db.CreateCommand("""
            INSERT INTO itempath_security_events (tenant, user_id, at, name)
            SELECT $1, 1, now() - make_interval(days => d), 'login_succeeded' FROM unnest($2::int[]) AS d
            """))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [400, 366, 364, 0] });
            Assert.Equal(4, await insert.ExecuteNonQueryAsync());
        }
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddLogging()
            .AddSingleton(db)
            .AddSingleton(TimeProvider.System)
            .Configure<Orleans.Configuration.ClusterOptions>(o => o.ServiceId = $"ret-{Guid.NewGuid():N}")
            .Configure<RetentionOptions>(_ => { })
            .AddSingleton<RetentionSweeper>()
            .BuildServiceProvider();
        await using (services)
        {
            // The default keeps 365 days; the table is shared with other tests, so only this tenant's rows are counted.
            var swept = await services.GetRequiredService<RetentionSweeper>().SweepOnceAsync();
            Assert.True(swept.SecurityEvents >= 2, $"{swept.SecurityEvents} events swept");
            await using var ages = db.CreateCommand("SELECT (extract(day FROM now() - at))::int FROM itempath_security_events WHERE tenant = $1 ORDER BY at");
            ages.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
            await using var reader = await ages.ExecuteReaderAsync();
            var left = new List<int>();
            while (await reader.ReadAsync()) left.Add(reader.GetInt32(0));
            Assert.Equal([364, 0], left);
        }
    }

    [Theory]
    [InlineData(-1, 60, 365, "Retention:SweepIntervalMinutes must be between 0 (off) and 1440.")]
    [InlineData(10, 4, 365, "Retention:AuthorizationCodeMinutes must be between 5 and 10080.")]
    [InlineData(10, 60, -1, "Retention:SecurityEventDays must be between 0 (keep all) and 36500.")]
    public void A_retention_setting_out_of_range_is_named(int interval, int codeMinutes, int eventDays, string message) =>
        Assert.Equal([message], new RetentionOptions
        {
            SweepIntervalMinutes = interval, AuthorizationCodeMinutes = codeMinutes, SecurityEventDays = eventDays,
        }.Validate());

    /// <summary>A sign-in on the page (a browser session), then a code for it that lives 60 s.</summary>
    private static async Task<string> IssueAsync(InProcessTestCluster cluster, TimeProvider time, string username, string verifier)
    {
        var login = await cluster.Client.GetGrain<IAuthenticationGrain>(0).Login(TenantIds.Default, username, Password, "127.0.0.1", "app", SessionKinds.Web);
        Assert.Equal(TokenError.None, login.Error);
        var token = new JsonWebToken(login.Refresh!.Token);
        var userId = int.Parse(token.GetClaim(TokenClaims.UserId).Value, System.Globalization.CultureInfo.InvariantCulture);
        var code = Guid.NewGuid().ToString("N");
        var now = time.GetUtcNow();
        Assert.True(await Code(cluster, code).Issue(new CodeGrant(userId, token.GetClaim(TokenClaims.SessionId).Value, now, "app", RedirectUri,
            Pkce.Challenge(verifier), "nonce", "openid", PublicClient: true, IssueRefreshToken: false, ExpiresAt: now.AddSeconds(60))));
        return code;
    }

    private static IAuthorizationCodeGrain Code(InProcessTestCluster cluster, string code) =>
        cluster.Client.GetGrain<IAuthorizationCodeGrain>(GrainKeys.Code(TenantIds.Default, code));

    private static async Task AgeAsync(string connectionString, string serviceId, TimeSpan age, params string[] codes)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var command = db.CreateCommand(
            "UPDATE OrleansStorage SET ModifiedOn = now() - $3 WHERE ServiceId = $1 AND GrainTypeString = 'code' AND GrainIdExtensionString = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = codes.Select(c => GrainKeys.Code(TenantIds.Default, c)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = age });
        Assert.Equal(codes.Length, await command.ExecuteNonQueryAsync());
    }

    private static async Task<int> CodeRowsAsync(string connectionString, string serviceId) =>
        (await CodeKeysAsync(connectionString, serviceId)).Count;

    private static async Task<List<string>> CodeKeysAsync(string connectionString, string serviceId)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var command = db.CreateCommand("SELECT GrainIdExtensionString FROM OrleansStorage WHERE ServiceId = $1 AND GrainTypeString = 'code'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync()) keys.Add(reader.GetString(0));
        return keys;
    }
}
