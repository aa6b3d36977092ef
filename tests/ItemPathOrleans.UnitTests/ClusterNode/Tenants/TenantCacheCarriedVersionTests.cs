using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using static ItemPathOrleans.UnitTests.ClusterNode.Tenants.TenantCacheFailoverTests;

namespace ItemPathOrleans.UnitTests.ClusterNode.Tenants;

/// <summary>
/// A silo's tenant cache under requests spread over many tenants: a call that carries the version
/// its API node resolved is answered from a copy at that version however old, without asking the
/// tenant grain again (the API node refreshes its own copy every <see cref="TenantCache.MaxAge"/>);
/// a newer carried version is still fetched, and a call without one still refreshes by age.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class TenantCacheCarriedVersionTests : IDisposable
{
    private static readonly TenantInfo Tenant = new("acme", "Acme", false, DateTimeOffset.UnixEpoch, TenantSettings.Default, [], "k1");
    private static readonly TenantInfo Changed = Tenant with { Settings = Tenant.Settings with { RefreshTokenRotation = true }, Version = Tenant.Version + 1 };

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ScriptedTenantGrain _grain = new();
    private TenantInfo _stored = Tenant;
    private int _calls;

    public TenantCacheCarriedVersionTests() => _grain.Answer = () =>
    {
        _calls++;
        return _stored;
    };

    public void Dispose() => RequestContext.Clear();

    [Fact]
    public async Task A_call_carrying_the_version_held_asks_the_tenant_grain_nothing_however_old_the_copy()
    {
        var cache = new TenantCache(FakeGrainFactory.For(_grain), _time);
        SeenTenantVersion.Carry("acme", Tenant.Version);
        Assert.Equal(Tenant, await cache.FindAsync("acme"));
        Assert.Equal(1, _calls);

        _time.Advance(TenantCache.MaxAge * 10);
        Assert.Equal(Tenant, await cache.FindAsync("acme"));
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task A_newer_carried_version_is_fetched_and_a_call_without_one_refreshes_by_age()
    {
        var cache = new TenantCache(FakeGrainFactory.For(_grain), _time);
        Assert.Equal(Tenant, await cache.FindAsync("acme"));

        // Changed through another node, whose request carries the new version: fetched at once.
        _stored = Changed;
        SeenTenantVersion.Carry("acme", Changed.Version);
        Assert.Equal(Changed, await cache.FindAsync("acme"));
        Assert.Equal(2, _calls);

        // A call carrying another tenant's version, or none, refreshes a copy older than MaxAge.
        SeenTenantVersion.Carry("other", 7);
        _time.Advance(TenantCache.MaxAge * 2);
        await cache.FindAsync("acme");
        Assert.Equal(3, _calls);
        RequestContext.Clear();
        _time.Advance(TenantCache.MaxAge * 2);
        await cache.FindAsync("acme");
        Assert.Equal(4, _calls);
    }
}
