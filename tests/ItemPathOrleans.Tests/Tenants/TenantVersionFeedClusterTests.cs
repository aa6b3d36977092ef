using System.Reflection;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Tenants;

/// <summary>
/// A node's tenant cache on a real two-silo cluster, serving many tenants: once its copies are
/// loaded, it asks the versions grain once per <see cref="TenantCache.MaxAge"/> and no tenant grain
/// while nothing changes; a tenant changed through its grain (as any node's admin request does) is
/// fetched again, alone, at the next ask. The node's clock is a FakeTimeProvider; the cluster's is real.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class TenantVersionFeedClusterTests : IAsyncLifetime
{
    private const int Tenants = 100;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string[] _ids = Enumerable.Range(0, Tenants).Select(i => $"feed-{i}-{Guid.NewGuid():N}"[..20]).ToArray();
    private InProcessTestCluster _cluster = null!;
    private int _gets;

    public async Task InitializeAsync()
    {
        _cluster = await TestClusters.StartAsync();
        await Task.WhenAll(_ids.Select(id => _cluster.Client.GetGrain<ITenantGrain>(id).EnsureCreated(id)));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>One request per tenant, a little over MaxAge after the last round; the copies answered.</summary>
    private async Task<Dictionary<string, TenantInfo>> RoundAsync(TenantCache cache)
    {
        _time.Advance(TenantCache.MaxAge + TimeSpan.FromMilliseconds(500));
        var answers = new Dictionary<string, TenantInfo>();
        foreach (var id in _ids) answers[id] = (await cache.FindAsync(id))!;
        return answers;
    }

    [Fact]
    public async Task A_node_serving_many_tenants_asks_no_tenant_grain_while_nothing_changes_and_fetches_only_a_changed_one()
    {
        var cache = new TenantCache(CountingTenantGets(_cluster.Client), _time);
        await RoundAsync(cache);
        Assert.Equal(Tenants, _gets);
        // The node's first ask of the versions grain: copies loaded before it are fetched once more.
        await RoundAsync(cache);
        Assert.Equal(2 * Tenants, _gets);

        await RoundAsync(cache);
        await RoundAsync(cache);
        Assert.Equal(2 * Tenants, _gets);

        // Two tenants change through their grains, as an admin's request on any node changes them.
        var (rotationOn, error) = await _cluster.Client.GetGrain<ITenantGrain>(_ids[7]).UpdateSettings(new TenantSettingsPatch().Set(s => s.RefreshTokenRotation, true));
        Assert.Null(error);
        var rotated = await _cluster.Client.GetGrain<ITenantGrain>(_ids[42]).RotateKey();

        var answers = await RoundAsync(cache);
        Assert.Equal(2 * Tenants + 2, _gets);
        Assert.Equal(rotationOn!.Version, answers[_ids[7]].Version);
        Assert.True(answers[_ids[7]].Settings.RefreshTokenRotation);
        Assert.Equal("k2", answers[_ids[42]].CurrentKid);
        Assert.Equal(rotated.Version, answers[_ids[42]].Version);

        await RoundAsync(cache);
        Assert.Equal(2 * Tenants + 2, _gets);
    }

    /// <summary>The cluster's grain factory, counting the <see cref="ITenantGrain.Get"/> calls made through it.</summary>
    private IGrainFactory CountingTenantGets(IGrainFactory inner)
    {
        var factory = DispatchProxy.Create<IGrainFactory, GrainCallCounter.Decorator>();
        ((GrainCallCounter.Decorator)(object)factory).Init(inner, result =>
        {
            if (result is not ITenantGrain tenant) return result;
            var counted = DispatchProxy.Create<ITenantGrain, GrainCallCounter.Decorator>();
            ((GrainCallCounter.Decorator)(object)counted).Init(tenant, r => r, (method, _) =>
            {
                if (method.Name == nameof(ITenantGrain.Get)) Interlocked.Increment(ref _gets);
            });
            return counted;
        });
        return factory;
    }
}
