using ItemPathOrleans.ClusterNode.OpenId;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Cluster;

/// <summary>Authorization codes at the grains, on a cluster whose clock the test moves: a code lives 60 s.</summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class AuthorizationCodeTests(AuthorizationCodeTests.ClockedCluster fixture) : IClassFixture<AuthorizationCodeTests.ClockedCluster>
{
    private const string Password = "Code-user-pw-42";
    private readonly FakeTimeProvider _time = fixture.Time;
    private readonly InProcessTestCluster _cluster = fixture.Cluster;

    /// <summary>One cluster and its user for the class; each test's codes are its own.</summary>
    public sealed class ClockedCluster : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
        public InProcessTestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await TestClusters.StartAsync(silos: 1, time: Time);
            var registry = Cluster.Client.GetGrain<IUserRegistryGrain>(0);
            Assert.Equal(UserChangeError.None, (await registry.CreateUser(TenantIds.Default, new NewUser("code-user", Password, null, UserTypes.User, false, null, "en", "UTC"))).Error);
        }

        public Task DisposeAsync() => TestClusters.DisposeAsync(Cluster, Time);
    }

    [Fact]
    public async Task A_code_redeems_within_its_60_seconds_and_not_after()
    {
        var verifier = new string('v', 43);
        var (fresh, _) = await IssueAsync(verifier);
        var (stale, _) = await IssueAsync(verifier);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(CodeError.None, (await Code(fresh).Redeem("app", "http://127.0.0.1/cb", verifier)).Error);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(CodeError.InvalidCode, (await Code(stale).Redeem("app", "http://127.0.0.1/cb", verifier)).Error);
    }

    [Fact]
    public async Task A_code_of_a_browser_session_that_ended_gives_nothing()
    {
        var verifier = new string('w', 43);
        var (code, browser) = await IssueAsync(verifier);
        var (userId, sessionId) = browser;
        Assert.Equal(1, await _cluster.Client.GetGrain<IUserGrain>(GrainKeys.User(TenantIds.Default, userId)).EndBrowserSession(sessionId, RevocationReasons.SignOut));
        Assert.Equal(CodeError.UserInactive, (await Code(code).Redeem("app", "http://127.0.0.1/cb", verifier)).Error);
    }

    /// <summary>A sign-in on the page (a browser session), then a code for it.</summary>
    private async Task<(string Code, (int UserId, string SessionId) Browser)> IssueAsync(string verifier)
    {
        var login = await _cluster.Client.GetGrain<IAuthenticationGrain>(0).Login(TenantIds.Default, "code-user", Password, "127.0.0.1", "app", SessionKinds.Web);
        Assert.Equal(TokenError.None, login.Error);
        var token = new JsonWebToken(login.Refresh!.Token);
        var userId = int.Parse(token.GetClaim(TokenClaims.UserId).Value, System.Globalization.CultureInfo.InvariantCulture);
        var sessionId = token.GetClaim(TokenClaims.SessionId).Value;
        var code = Guid.NewGuid().ToString("N");
        var now = _time.GetUtcNow();
        Assert.True(await Code(code).Issue(new CodeGrant(userId, sessionId, now, "app", "http://127.0.0.1/cb", Pkce.Challenge(verifier), "nonce", "openid",
            PublicClient: true, IssueRefreshToken: false, ExpiresAt: now.AddSeconds(60))));
        return (code, (userId, sessionId));
    }

    private IAuthorizationCodeGrain Code(string code) => _cluster.Client.GetGrain<IAuthorizationCodeGrain>(GrainKeys.Code(TenantIds.Default, code));
}
