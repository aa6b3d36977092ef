using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tenants;
using Microsoft.Extensions.Time.Testing;
using static ItemPathOrleans.UnitTests.ClusterNode.Tenants.TenantCacheFailoverTests;

namespace ItemPathOrleans.UnitTests.ClusterNode.Tenants;

/// <summary>
/// A node's tenant cache with the versions grain: a copy older than <see cref="TenantCache.MaxAge"/>
/// is served without asking its tenant grain while the versions grain names no newer version, and a
/// change recorded there, a new epoch of it, or its silence brings the tenant grain's copy again.
/// The clock is a FakeTimeProvider, moved by the tests.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class TenantVersionFeedTests
{
    private static readonly TenantInfo Tenant = new("acme", "Acme", false, DateTimeOffset.UnixEpoch, TenantSettings.Default, [], "k1");
    private static readonly TenantInfo Changed = Tenant with { Settings = Tenant.Settings with { RefreshTokenRotation = true }, Version = Tenant.Version + 1 };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ScriptedTenantGrain _grain = new();
    private readonly ScriptedVersions _versions = new();
    private TenantInfo _stored = Tenant;
    private int _gets;

    public TenantVersionFeedTests() => _grain.Answer = () =>
    {
        _gets++;
        return _stored;
    };

    private TenantCache NewCache() => new(FakeGrainFactory.For(_grain, _versions), _time);

    /// <summary>One request every half second for <paramref name="seconds"/>; the copies they were answered.</summary>
    private async Task<List<TenantInfo?>> RequestsAsync(TenantCache cache, int seconds)
    {
        var answers = new List<TenantInfo?>();
        for (var i = 0; i < seconds * 2; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            answers.Add(await cache.FindAsync("acme"));
        }
        return answers;
    }

    [Fact]
    public async Task While_nothing_changes_a_copy_is_served_without_asking_its_tenant_grain_and_the_node_asks_once_a_second()
    {
        var cache = NewCache();
        Assert.Equal(Tenant, await cache.FindAsync("acme"));
        // The first ask starts the node's epoch: the copy loaded before it is fetched once more.
        await RequestsAsync(cache, 2);
        var gets = _gets;
        var asks = _versions.Asks;

        var answers = await RequestsAsync(cache, 20);

        Assert.All(answers, a => Assert.Equal(Tenant, a));
        Assert.Equal(gets, _gets);
        Assert.InRange(_versions.Asks - asks, 10, 20);
    }

    [Fact]
    public async Task A_version_recorded_after_the_copy_was_loaded_brings_the_new_copy_within_a_second()
    {
        var cache = NewCache();
        await cache.FindAsync("acme");
        await RequestsAsync(cache, 3);

        // The tenant grain records the version it is about to store, then stores it.
        _versions.Log.Record("acme", Changed.Version);
        _stored = Changed;
        _time.Advance(TenantCache.MaxAge);

        Assert.Equal(Changed, await cache.FindAsync("acme"));
    }

    [Fact]
    public async Task A_new_epoch_of_the_versions_grain_brings_a_new_copy_of_every_tenant_loaded_before_it()
    {
        var cache = NewCache();
        await cache.FindAsync("acme");
        await RequestsAsync(cache, 3);

        // The versions grain was reactivated: the record of this change went to the lost activation.
        _versions.Log = new TenantVersionLog();
        _stored = Changed;
        _time.Advance(TenantCache.MaxAge);

        Assert.Equal(Changed, await cache.FindAsync("acme"));
    }

    [Fact]
    public async Task When_the_versions_grain_does_not_answer_copies_refresh_from_their_tenant_grains_by_age()
    {
        var cache = NewCache();
        await cache.FindAsync("acme");
        await RequestsAsync(cache, 3);

        _versions.Failing = true;
        _stored = Changed;
        _time.Advance(TenantCache.MaxAge);

        Assert.Equal(Changed, await cache.FindAsync("acme"));
    }

    [Fact]
    public async Task A_copy_is_vouched_for_at_most_a_minute_after_its_load()
    {
        var cache = NewCache();
        await cache.FindAsync("acme");
        await RequestsAsync(cache, 2);

        // Both records of a change were lost (the versions grain and the tenant grain's silo together).
        _stored = Changed;
        var answers = await RequestsAsync(cache, (int)TenantVersionFeed.TrustAtMost.TotalSeconds + 2);

        Assert.Equal(Changed, answers[^1]);
    }

    [Fact]
    public void The_log_answers_the_changes_after_a_sequence_and_everything_to_another_epoch()
    {
        var log = new TenantVersionLog();
        log.Record("a", 1);
        log.Record("b", 1);
        var first = log.Since(Guid.Empty, 0);
        Assert.True(first.Whole);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1 }, first.Versions);

        log.Record("a", 3);
        log.Record("b", 1);
        log.Record("a", 2);
        var next = log.Since(first.Epoch, first.Sequence);
        Assert.False(next.Whole);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3 }, next.Versions);
        Assert.Empty(log.Since(next.Epoch, next.Sequence).Versions);

        var other = new TenantVersionLog();
        Assert.NotEqual(log.Epoch, other.Epoch);
        Assert.True(log.Since(other.Epoch, next.Sequence).Whole);
    }

    /// <summary>A versions grain backed by a real <see cref="TenantVersionLog"/> that tests can replace or make fail.</summary>
    private sealed class ScriptedVersions : ITenantVersionsGrain
    {
        public TenantVersionLog Log { get; set; } = new();
        public bool Failing { get; set; }
        public int Asks { get; private set; }

        public Task Record(string tenant, int version)
        {
            Log.Record(tenant, version);
            return Task.CompletedTask;
        }

        public Task<TenantVersionChanges> Since(Guid epoch, long sequence)
        {
            Asks++;
            return Failing
                ? Task.FromException<TenantVersionChanges>(new TimeoutException("the versions grain does not answer"))
                : Task.FromResult(Log.Since(epoch, sequence));
        }
    }
}
