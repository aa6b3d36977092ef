using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Security;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Cluster;

/// <summary>Refresh rotation on a real 2-silo cluster: single successor, replay, reuse, caps.</summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class RotationTests(RotationTests.ClusterFixture fixture) : IClassFixture<RotationTests.ClusterFixture>, IAsyncLifetime
{
    private readonly InProcessTestCluster _cluster = fixture.Cluster;
    private int _tenantVersion;
    private IGrainFactory Grains => _cluster.Client;

    /// <summary>One cluster for the class; each test sets the settings it starts from and has users of its own.</summary>
    public sealed class ClusterFixture : IAsyncLifetime
    {
        public InProcessTestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TestClusters.StartAsync(silos: 2);

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    public async Task InitializeAsync()
    {
        var (tenant, error) = await Grains.GetGrain<ITenantGrain>("default").UpdateSettings(new TenantSettingsPatch().Set(s => s.RefreshTokenRotation, true).Set(s => s.MaxSessionsPerUser, 3).Set(s => s.MaxApplicationTokensPerUser, 2));
        Assert.Null(error);
        _tenantVersion = tenant!.Version;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>From here on this test's calls carry the tenant version its settings change answered, as an API node's calls do.</summary>
    private void CarryTenantVersion() => SeenTenantVersion.Carry("default", _tenantVersion);

    private async Task<(IUserGrain User, LoginResult Login)> LoginAsync(string username, string type = UserTypes.User)
    {
        var created = await Grains.GetGrain<IUserRegistryGrain>(0).CreateUser("default",
            new NewUser(username, "Long-enough-pw-1", null, type, false, null, "en", "UTC"));
        Assert.Equal(UserChangeError.None, created.Error);
        var login = await Grains.GetGrain<IAuthenticationGrain>(0).Login("default", username, "Long-enough-pw-1", "127.0.0.1");
        Assert.Equal(TokenError.None, login.Error);
        return (Grains.GetGrain<IUserGrain>(GrainKeys.User("default", created.User!.Id)), login);
    }

    private static (string Sid, string Jti) Ids(string token) => (JwtClaims.Claim(token, "sid"), JwtClaims.Claim(token, "jti"));

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_yield_exactly_one_successor()
    {
        CarryTenantVersion();
        var (user, login) = await LoginAsync("rot-race");
        var (sid, jti) = Ids(login.Refresh!.Token);

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => user.Refresh(sid, jti)));

        Assert.All(answers, a => Assert.Equal(TokenError.None, a.Error));
        Assert.Single(answers.Select(a => a.Refresh!.Token).Distinct());
        Assert.Single(answers.Select(a => a.Access!.Token).Distinct());
        var successor = answers[0].Refresh!.Token;
        Assert.NotEqual(login.Refresh.Token, successor);
        Assert.Equal(sid, Ids(successor).Sid);

        // The successor works and then the first token is spent for good.
        var next = await user.Refresh(sid, Ids(successor).Jti);
        Assert.Equal(TokenError.None, next.Error);
        Assert.NotEqual(successor, next.Refresh!.Token);
    }

    [Fact]
    public async Task A_lost_answer_is_replayed_byte_for_byte()
    {
        CarryTenantVersion();
        var (user, login) = await LoginAsync("rot-replay");
        var (sid, jti) = Ids(login.Refresh!.Token);
        var first = await user.Refresh(sid, jti);
        var retry = await user.Refresh(sid, jti);

        Assert.Equal(first.Refresh!.Token, retry.Refresh!.Token);
        Assert.Equal(first.Access!.Token, retry.Access!.Token);
        Assert.Equal(first.Refresh.ExpiresAt, login.Refresh.ExpiresAt);
    }

    [Fact]
    public async Task Reuse_of_a_spent_token_revokes_the_session_and_its_access_tokens()
    {
        CarryTenantVersion();
        var (user, login) = await LoginAsync("rot-theft");
        var (sid, jti) = Ids(login.Refresh!.Token);
        var first = await user.Refresh(sid, jti);
        var second = await user.Refresh(sid, Ids(first.Refresh!.Token).Jti);
        Assert.Equal(TokenError.None, second.Error);

        // The thief presents the original token: spent, not the immediately previous one.
        var stolen = await user.Refresh(sid, jti);
        Assert.Equal(TokenError.SessionRevoked, stolen.Error);

        var check = await user.CheckSession(sid);
        Assert.False(check.SessionActive);
        Assert.Equal(TokenError.SessionRevoked, (await user.Refresh(sid, Ids(second.Refresh!.Token).Jti)).Error);

        var events = _cluster.Silos.SelectMany(s => s.ServiceProvider.GetRequiredService<InMemorySecurityEventStore>().Events);
        Assert.Contains(events, e => e.Name == SecurityEventNames.RefreshReuseDetected && e.Detail!.Contains(sid));
    }

    [Fact]
    public async Task A_login_past_the_cap_revokes_the_oldest_session()
    {
        CarryTenantVersion();
        var (user, first) = await LoginAsync("rot-cap");
        var auth = Grains.GetGrain<IAuthenticationGrain>(0);
        for (var i = 0; i < 3; i++)
            Assert.Equal(TokenError.None, (await auth.Login("default", "rot-cap", "Long-enough-pw-1", "127.0.0.1")).Error);

        Assert.False((await user.CheckSession(Ids(first.Refresh!.Token).Sid)).SessionActive);
        Assert.Equal(3, (await user.ListSessions()).Count);
    }

    [Fact]
    public async Task Application_tokens_past_the_cap_are_refused_and_listed_as_application_sessions()
    {
        CarryTenantVersion();
        var (user, login) = await LoginAsync("rot-robot", UserTypes.Application);
        var (sid, _) = Ids(login.Refresh!.Token);
        string Current() => JwtClaims.Claim(login.Refresh.Token, "jti");

        Assert.Equal(TokenError.None, (await user.CreateApplicationToken(sid, Current(), "a")).Error);
        Assert.Equal(TokenError.None, (await user.CreateApplicationToken(sid, Current(), "b")).Error);
        Assert.Equal(TokenError.TooManyApplicationTokens, (await user.CreateApplicationToken(sid, Current(), "c")).Error);

        var sessions = await user.ListSessions();
        Assert.Equal(["a", "b"], sessions.Where(s => s.Kind == SessionKinds.Application).Select(s => s.Name).Order());
        Assert.All(sessions.Where(s => s.Kind == SessionKinds.Application), s => Assert.Null(s.ExpiresAt));

        // Revoking one frees a place.
        Assert.True(await user.RevokeSession(sessions.First(s => s.Name == "a").Id, RevocationReasons.RevokedByUser));
        Assert.Equal(TokenError.None, (await user.CreateApplicationToken(sid, Current(), "c")).Error);
    }

    [Fact]
    public async Task Rotation_off_keeps_the_refresh_token()
    {
        var (tenant, _) = await Grains.GetGrain<ITenantGrain>("default").UpdateSettings(new TenantSettingsPatch().Set(s => s.RefreshTokenRotation, false));
        SeenTenantVersion.Carry("default", tenant!.Version);
        var (user, login) = await LoginAsync("rot-off");
        var (sid, jti) = Ids(login.Refresh!.Token);
        for (var i = 0; i < 3; i++)
        {
            var answer = await user.Refresh(sid, jti);
            Assert.Equal(TokenError.None, answer.Error);
            Assert.Null(answer.Refresh);
        }
    }

    [Fact]
    public async Task Settings_are_validated_naming_the_field()
    {
        var tenant = Grains.GetGrain<ITenantGrain>("default");
        Assert.Equal("refreshReuseGraceSeconds must be between 0 and 300", (await tenant.UpdateSettings(new TenantSettingsPatch().Set(s => s.RefreshReuseGraceSeconds, 301))).Error);
        Assert.Equal("lockoutMaxSeconds must be between 60 and 86400", (await tenant.UpdateSettings(new TenantSettingsPatch().Set(s => s.LockoutMaxSeconds, 59))).Error);
        Assert.Equal("revocationLatencySeconds must be between 1 and 60", (await tenant.UpdateSettings(new TenantSettingsPatch().Set(s => s.RevocationLatencySeconds, 0))).Error);
        // Nothing of a refused change is stored.
        var settings = (await tenant.Get())!.Settings;
        Assert.Equal(30, settings.RefreshReuseGraceSeconds);
        Assert.Equal(900, settings.LockoutMaxSeconds);
        Assert.Equal(5, settings.RevocationLatencySeconds);
    }
}
