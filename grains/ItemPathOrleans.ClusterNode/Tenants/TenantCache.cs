using System.Collections.Concurrent;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.ClusterNode.Tenants;

/// <summary>
/// A node-local, short-lived copy of tenant settings and key rings (silos mint with it, API
/// nodes validate with it), so a token costs no call to the tenant grain. A change applies on
/// every node within <see cref="MaxAge"/> (plus the time a refresh takes): a copy older than
/// that is used only while one of these vouches for it, and refreshed otherwise:
/// <list type="bullet">
/// <item>the call carries the version its API node resolved for the request
/// (<see cref="SeenTenantVersion"/>) and the copy is at that version or newer: the API node's own
/// copy is current as of less than <see cref="MaxAge"/> ago, so the request sees every change it would;</item>
/// <item>the node's <see cref="TenantVersionFeed"/>, asked once per <see cref="MaxAge"/> for all
/// tenants, names no newer version of it: requests spread over thousands of tenants cost one call
/// a second, not one per tenant.</item>
/// </list>
/// A stale copy is refreshed by one call at a time; callers wait for it at most <see cref="StaleWait"/> and
/// otherwise use the last known copy, so a slow or unreachable tenant grain (a silo that just
/// died, a short outage) does not hold up every request.
/// </summary>
public sealed class TenantCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan StaleWait = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly TenantVersionFeed _versions = new(grains, time);

    /// <summary>
    /// The tenant, or null if it does not exist. A copy older than <paramref name="minVersion"/>,
    /// or than the version the current call carries (<see cref="SeenTenantVersion"/>): a version
    /// the caller has already seen, is refreshed at once, and waited for.
    /// </summary>
    public async ValueTask<TenantInfo?> FindAsync(string tenant, int minVersion = 0)
    {
        var seen = SeenTenantVersion.Of(tenant);
        minVersion = Math.Max(minVersion, seen);
        var slot = _slots.GetOrAdd(tenant, _ => new Slot());
        var current = slot.Current;
        if (current is null || (current.Info?.Version ?? 0) < minVersion)
        {
            var loaded = (await LoadAsync(tenant, slot)).Info;
            // Never older than a version the caller has seen: the last copy kept through an outage,
            // or a stale duplicate activation's answer, would apply old settings (rotation off).
            if ((loaded?.Version ?? 0) < minVersion)
                throw new OrleansException($"Tenant '{tenant}': version {minVersion} of its settings could not be read; retry");
            return loaded;
        }
        if (time.GetUtcNow() - current.LoadedAt < MaxAge) return current.Info;
        // A call that carries the version its API node resolved for this request holds a copy that
        // node refreshed within MaxAge: a copy here at that version or newer is as fresh as the
        // request needs, however old, so a silo under requests spread over many tenants does not
        // ask each tenant grain again every MaxAge (the API node does, once per tenant).
        if (seen > 0) return current.Info;
        if (await _versions.VouchesForAsync(tenant, current.Info?.Version ?? 0, current.FetchedAt)) return current.Info;

        var refresh = slot.Refresh(() => Task.Run(() => LoadAsync(tenant, slot)));
        try
        {
            return (await refresh.WaitAsync(StaleWait, time)).Info;
        }
        catch (TimeoutException)
        {
            return current.Info;
        }
    }

    public async ValueTask<TenantInfo> GetAsync(string tenant, int minVersion = 0) =>
        await FindAsync(tenant, minVersion) ?? throw new InvalidOperationException($"Tenant '{tenant}' does not exist.");

    /// <summary>
    /// A fresh copy from the tenant grain, whatever the age of this node's: for a caller that holds
    /// evidence of a change made through another node (one load at a time per tenant).
    /// </summary>
    public async ValueTask<TenantInfo?> ReloadAsync(string tenant)
    {
        var slot = _slots.GetOrAdd(tenant, _ => new Slot());
        return (await slot.Refresh(() => Task.Run(() => LoadAsync(tenant, slot)))).Info;
    }

    /// <summary>Takes a copy just answered by the tenant grain (after a change made through this node).</summary>
    public void Update(TenantInfo info)
    {
        var now = time.GetUtcNow();
        _slots.GetOrAdd(info.Id, _ => new Slot()).Current = new Entry(info, now, now);
    }

    private async Task<Entry> LoadAsync(string tenant, Slot slot)
    {
        var previous = slot.Current;
        try
        {
            var asked = time.GetUtcNow();
            var info = await grains.GetGrain<ITenantGrain>(tenant).Get();
            var entry = new Entry(info, time.GetUtcNow(), asked);
            // A copy never goes back to an older version (a stale duplicate activation's answer).
            if ((entry.Info?.Version ?? 0) < (previous?.Info?.Version ?? 0)) entry = previous! with { LoadedAt = entry.LoadedAt };
            slot.Current = entry;
            return entry;
        }
        catch (Exception) when (previous is not null)
        {
            // Keep the last copy through the outage, and try again only after MaxAge.
            var kept = previous with { LoadedAt = time.GetUtcNow() };
            slot.Current = kept;
            return kept;
        }
    }

    /// <param name="LoadedAt">When the copy was last refreshed (or kept through an outage): its age.</param>
    /// <param name="FetchedAt">When the tenant grain was asked for this copy: what <see cref="TenantVersionFeed"/> may vouch for.</param>
    private sealed record Entry(TenantInfo? Info, DateTimeOffset LoadedAt, DateTimeOffset FetchedAt);

    private sealed class Slot
    {
        private readonly Lock _lock = new();
        private Task<Entry>? _refresh;

        public volatile Entry? Current;

        /// <summary>The refresh in flight, or a new one: one at a time per tenant.</summary>
        public Task<Entry> Refresh(Func<Task<Entry>> start)
        {
            lock (_lock)
            {
                if (_refresh is null || _refresh.IsCompleted) _refresh = start();
                return _refresh;
            }
        }
    }
}
