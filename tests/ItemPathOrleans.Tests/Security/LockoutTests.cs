using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Security;

/// <summary>Lockout before hashing, and one hash on every failure path, on a real 2-silo cluster with a movable clock.</summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class LockoutTests(LockoutTests.ClockedCluster fixture) : IClassFixture<LockoutTests.ClockedCluster>
{
    private const string Password = "Long-enough-pw-1";
    private readonly FakeTimeProvider _time = fixture.Time;
    private readonly InProcessTestCluster _cluster = fixture.Cluster;
    private IGrainFactory Grains => _cluster.Client;
    private IAuthenticationGrain Auth => Grains.GetGrain<IAuthenticationGrain>(0);

    /// <summary>
    /// One cluster for the class, on a clock the tests move: each test has users (and so lockouts)
    /// of its own, and a lock one test leaves behind only expires sooner when another moves the clock.
    /// </summary>
    public sealed class ClockedCluster : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
        public InProcessTestCluster Cluster { get; private set; } = null!;

        // Hashing at its production cost: one test here checks the re-hash to it.
        public async Task InitializeAsync() => Cluster = await TestClusters.StartAsync(silos: 2, time: Time, settings: TestSettings.ProductionHashing);

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    /// <summary>Hashes run on every silo so far.</summary>
    private long HashesRun() => _cluster.Silos.Sum(s => s.ServiceProvider.GetRequiredService<PasswordHashingPool>().HashesRun);

    private async Task<int> CreateAsync(string username, int? status = null)
    {
        var created = await Grains.GetGrain<IUserRegistryGrain>(0).CreateUser("default",
            new NewUser(username, Password, null, UserTypes.User, false, status, "en", "UTC"));
        Assert.Equal(UserChangeError.None, created.Error);
        return created.User!.Id;
    }

    private Task<LoginResult> LoginAsync(string username, string password, string address = "192.0.2.1") =>
        Auth.Login("default", username, password, address);

    [Fact]
    public async Task Sequential_wrong_guesses_lock_after_the_threshold_and_the_lock_expires()
    {
        await CreateAsync("lock-seq");
        for (var i = 0; i < 5; i++) Assert.Equal(TokenError.BadCredentials, (await LoginAsync("lock-seq", "Wrong-guess-" + i)).Error);

        var locked = await LoginAsync("lock-seq", Password);
        Assert.Equal(TokenError.LockedOut, locked.Error);
        Assert.Equal(60, locked.RetryAfterSeconds);
        // Another address is not locked out by this one.
        Assert.Equal(TokenError.None, (await LoginAsync("lock-seq", Password, "198.51.100.9")).Error);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TokenError.LockedOut, (await LoginAsync("lock-seq", Password)).Error);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenError.None, (await LoginAsync("lock-seq", Password)).Error);
    }

    [Fact]
    public async Task Fifty_parallel_wrong_guesses_run_no_more_hashes_than_the_threshold()
    {
        await CreateAsync("lock-par");
        var before = HashesRun();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => LoginAsync("lock-par", "Wrong-guess-" + i)));

        Assert.Equal(5, results.Count(r => r.Error == TokenError.BadCredentials));
        Assert.Equal(45, results.Count(r => r.Error == TokenError.LockedOut));
        Assert.Equal(5, HashesRun() - before);
        // The right password is refused while locked, and costs no hash.
        var right = await LoginAsync("lock-par", Password);
        Assert.Equal(TokenError.LockedOut, right.Error);
        Assert.Equal(5, HashesRun() - before);
    }

    [Fact]
    public async Task Unknown_usernames_lock_the_same_way()
    {
        for (var i = 0; i < 5; i++) Assert.Equal(TokenError.BadCredentials, (await LoginAsync("lock-nobody", "Guess-" + i)).Error);
        var locked = await LoginAsync("lock-nobody", "Guess-x");
        Assert.Equal(TokenError.LockedOut, locked.Error);
        Assert.Equal(60, locked.RetryAfterSeconds);
        // And nothing was stored for the unknown name.
        Assert.Null(await Grains.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName("default", UniqueNameKind.Username, "lock-nobody")).Lookup());
    }

    [Fact]
    public async Task Every_failure_path_runs_exactly_one_hash()
    {
        await CreateAsync("enum-known");
        await CreateAsync("enum-pending", UserStatus.Pending);
        await CreateAsync("enum-off", UserStatus.Deactivated);
        // Warm the decoy hash, made once per silo, so it does not count below.
        foreach (var address in Enumerable.Range(1, 4).Select(i => $"192.0.2.{100 + i}"))
            await LoginAsync("enum-warm-" + address, "x", address);

        var answers = new List<LoginResult>();
        foreach (var (username, password) in new[]
                 {
                     ("enum-unknown", Password), ("enum-known", "Wrong-password-1"), ("enum-pending", Password), ("enum-off", Password),
                 })
        {
            var before = HashesRun();
            answers.Add(await LoginAsync(username, password, "203.0.113.50"));
            Assert.Equal(1, HashesRun() - before);
        }
        Assert.All(answers, a => Assert.Equal(LoginResult.Fail(TokenError.BadCredentials), a));
    }

    [Fact]
    public async Task A_hash_with_older_parameters_is_rehashed_at_the_next_successful_login()
    {
        // A user whose stored hash was made with older, cheaper parameters.
        var created = await Grains.GetGrain<IUserRegistryGrain>(0).CreateUser("default",
            new NewUser("rehash-old", null, null, UserTypes.User, false, null, "en", "UTC"));
        var user = Grains.GetGrain<IUserGrain>(GrainKeys.User("default", created.User!.Id));
        var old = new PasswordHasher(Options.Create(new PasswordHashingOptions { MemoryKib = 8192, Iterations = 1 })).Hash(Password);
        await user.Update(new UserChanges(null, null, null, false, null, null, null, null, null), old);
        Assert.StartsWith("$argon2id$v=19$m=8192,t=1,p=1$", (await user.BeginLogin("192.0.2.77")).PasswordHash);

        Assert.Equal(TokenError.None, (await LoginAsync("rehash-old", Password)).Error);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", (await user.BeginLogin("192.0.2.78")).PasswordHash);
        Assert.Equal(TokenError.None, (await LoginAsync("rehash-old", Password)).Error);
    }
}
