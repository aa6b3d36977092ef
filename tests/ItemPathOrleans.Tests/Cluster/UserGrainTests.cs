using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Cluster;

/// <summary>The grains on a real 2-silo in-process cluster (memory storage).</summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class UserGrainTests(UserGrainTests.ClusterFixture fixture) : IClassFixture<UserGrainTests.ClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    /// <summary>One cluster for the class: each test has users of its own (and none rotates a key).</summary>
    public sealed class ClusterFixture : IAsyncLifetime
    {
        public InProcessTestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TestClusters.StartAsync(silos: 2);

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private Task<UserChangeResult> CreateAsync(string username, string type = UserTypes.User) =>
        Grains.GetGrain<IUserRegistryGrain>(0).CreateUser("default",
            new NewUser(username, "Long-enough-pw-1", null, type, false, null, "en", "UTC"));

    [Fact]
    public async Task First_start_creates_the_default_tenant_and_its_admin()
    {
        var tenant = await Grains.GetGrain<ITenantGrain>("default").Get();
        Assert.NotNull(tenant);
        Assert.Equal("k1", tenant.CurrentKid);
        var login = await Grains.GetGrain<IAuthenticationGrain>(0).Login("default", "admin", TestSettings.AdminPassword, "127.0.0.1");
        Assert.Equal(TokenError.None, login.Error);
        Assert.True(login.User!.IsAdmin);
    }

    [Fact]
    public async Task Login_opens_a_session_whose_refresh_token_gives_access_tokens()
    {
        var created = await CreateAsync("grain-alice");
        var login = await Grains.GetGrain<IAuthenticationGrain>(0).Login("default", "Grain-Alice", "Long-enough-pw-1", "127.0.0.1");
        Assert.Equal(TokenError.None, login.Error);
        Assert.Equal(created.User!.Id, login.User!.Id);

        var user = Grains.GetGrain<IUserGrain>(GrainKeys.User("default", login.User.Id));
        var sid = JwtClaims.Claim(login.Refresh!.Token, "sid");
        var refreshed = await user.Refresh(sid, JwtClaims.Claim(login.Refresh.Token, "jti"));
        Assert.Equal(TokenError.None, refreshed.Error);
        Assert.Equal(sid, JwtClaims.Claim(refreshed.Access!.Token, "sid"));
        Assert.NotEqual(JwtClaims.Claim(login.Access!.Token, "jti"), JwtClaims.Claim(refreshed.Access.Token, "jti"));

        var wrongJti = await user.Refresh(sid, Guid.NewGuid().ToString());
        Assert.Equal(TokenError.SessionRevoked, wrongJti.Error);
    }

    [Fact]
    public async Task A_user_imported_with_a_password_hash_logs_in_with_that_password()
    {
        var hasher = new PasswordHasher(Options.Create(new PasswordHashingOptions { MemoryKib = 8192, Iterations = 1 }));
        var registry = Grains.GetGrain<IUserRegistryGrain>(0);
        NewUser Imported(string name, string? password, string? hash) => new(name, password, null, UserTypes.User, false, null, "en", "UTC", hash);

        var created = await registry.CreateUser("default", Imported("grain-imported", null, hasher.Hash("Imported-pw-2026")));
        Assert.Equal(UserChangeError.None, created.Error);
        var auth = Grains.GetGrain<IAuthenticationGrain>(0);
        Assert.Equal(TokenError.None, (await auth.Login("default", "grain-imported", "Imported-pw-2026", "127.0.0.1")).Error);
        Assert.Equal(TokenError.BadCredentials, (await auth.Login("default", "grain-imported", "Imported-pw-2027", "127.0.0.1")).Error);

        var malformed = await registry.CreateUser("default", Imported("grain-imported-2", null, "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA"));
        Assert.Equal(UserChangeError.Invalid, malformed.Error);
        var both = await registry.CreateUser("default", Imported("grain-imported-3", "Long-enough-pw-1", hasher.Hash("Imported-pw-2026")));
        Assert.Equal(UserChangeError.Invalid, both.Error);
        Assert.Equal(TokenError.BadCredentials, (await auth.Login("default", "grain-imported-2", "Imported-pw-2026", "127.0.0.1")).Error);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_fail_alike()
    {
        await CreateAsync("grain-bob");
        var auth = Grains.GetGrain<IAuthenticationGrain>(0);
        var wrong = await auth.Login("default", "grain-bob", "Not-the-password-1", "127.0.0.1");
        var unknown = await auth.Login("default", "grain-nobody", "Long-enough-pw-1", "127.0.0.1");
        Assert.Equal(TokenError.BadCredentials, wrong.Error);
        Assert.Equal(wrong, unknown);
    }

    [Fact]
    public async Task Only_application_users_get_application_tokens_and_they_never_expire()
    {
        await CreateAsync("grain-robot", UserTypes.Application);
        await CreateAsync("grain-human");
        var auth = Grains.GetGrain<IAuthenticationGrain>(0);

        var robot = await auth.Login("default", "grain-robot", "Long-enough-pw-1", "127.0.0.1");
        var robotGrain = Grains.GetGrain<IUserGrain>(GrainKeys.User("default", robot.User!.Id));
        var app = await robotGrain.CreateApplicationToken(JwtClaims.Claim(robot.Refresh!.Token, "sid"), JwtClaims.Claim(robot.Refresh.Token, "jti"), "ci");
        Assert.Equal(TokenError.None, app.Error);
        Assert.Equal("ci", app.Name);
        Assert.Equal(app.Id, JwtClaims.Claim(app.Token!, "sid"));
        Assert.Equal(app.Id, JwtClaims.Claim(app.Token!, "jti"));
        Assert.DoesNotContain("\"exp\"", JwtClaims.Payload(app.Token!));
        var check = await robotGrain.CheckSession(app.Id!);
        Assert.True(check.SessionActive);
        Assert.Equal(SessionKinds.Application, check.Kind);

        var human = await auth.Login("default", "grain-human", "Long-enough-pw-1", "127.0.0.1");
        var refused = await Grains.GetGrain<IUserGrain>(GrainKeys.User("default", human.User!.Id))
            .CreateApplicationToken(JwtClaims.Claim(human.Refresh!.Token, "sid"), JwtClaims.Claim(human.Refresh.Token, "jti"), null);
        Assert.Equal(TokenError.NotApplicationUser, refused.Error);
    }

    [Fact]
    public async Task Concurrent_creation_of_one_username_lets_exactly_one_win()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            CreateAsync(i % 2 == 0 ? "grain-race" : "GRAIN-Race")));

        var winners = results.Where(r => r.Error == UserChangeError.None).ToList();
        Assert.Single(winners);
        Assert.All(results.Where(r => r.Error != UserChangeError.None), r => Assert.Equal(UserChangeError.UsernameTaken, r.Error));

        var owner = await Grains.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName("default", UniqueNameKind.Username, "grain-race")).Lookup();
        Assert.Equal(winners[0].User!.Id, owner);
    }

    [Fact]
    public async Task A_deactivated_user_can_neither_log_in_nor_refresh()
    {
        var created = await CreateAsync("grain-carol");
        var auth = Grains.GetGrain<IAuthenticationGrain>(0);
        var login = await auth.Login("default", "grain-carol", "Long-enough-pw-1", "127.0.0.1");

        var update = await Grains.GetGrain<IUserRegistryGrain>(0).UpdateUser("default", created.User!.Id,
            new UserChanges(null, null, null, false, null, null, UserStatus.Deactivated, null, null));
        Assert.Equal(UserChangeError.None, update.Error);

        Assert.Equal(TokenError.BadCredentials, (await auth.Login("default", "grain-carol", "Long-enough-pw-1", "127.0.0.1")).Error);
        var user = Grains.GetGrain<IUserGrain>(GrainKeys.User("default", created.User.Id));
        var refresh = await user.Refresh(JwtClaims.Claim(login.Refresh!.Token, "sid"), JwtClaims.Claim(login.Refresh.Token, "jti"));
        Assert.NotEqual(TokenError.None, refresh.Error);
        Assert.False((await user.CheckSession(JwtClaims.Claim(login.Refresh.Token, "sid"))).UserActive);
    }
}
