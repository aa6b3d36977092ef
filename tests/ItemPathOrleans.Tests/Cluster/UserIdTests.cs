using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Cluster;

/// <summary>User ids: unique across bursts and reactivations, consecutive for creations one at a time.</summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class UserIdTests(UserIdTests.ClockedCluster fixture) : IClassFixture<UserIdTests.ClockedCluster>
{
    private readonly FakeTimeProvider _time = fixture.Time;
    private readonly InProcessTestCluster _cluster = fixture.Cluster;

    /// <summary>One cluster for the class: its tests run one at a time, so nothing else takes ids between theirs.</summary>
    public sealed class ClockedCluster : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-11-28T08:00:00Z"));
        public InProcessTestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TestClusters.StartAsync(silos: 1, time: Time);

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private ITenantGrain Tenant => _cluster.Client.GetGrain<ITenantGrain>("default");

    [Fact]
    public async Task Creations_one_at_a_time_get_consecutive_ids()
    {
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            ids.Add(await Tenant.NextUserId());
        }
        Assert.Equal(Enumerable.Range(ids[0], 5), ids);
    }

    [Fact]
    public async Task A_burst_gets_distinct_ids_and_a_new_activation_never_repeats_one()
    {
        var burst = await Task.WhenAll(Enumerable.Range(0, 600).Select(_ => Tenant.NextUserId()));
        Assert.Equal(burst.Length, burst.Distinct().Count());

        // The activation ends mid-block; the next one continues above every id handed out.
        await Tenant.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        _time.Advance(TimeSpan.FromSeconds(2));
        var next = await Tenant.NextUserId();
        Assert.True(next > burst.Max(), $"{next} after {burst.Max()}");
    }
}
