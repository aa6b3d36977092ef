using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Api.Tenancy;

/// <summary>
/// The API node's copy of the tenant list, refreshed at most every <see cref="MaxAge"/>: an
/// unknown or disabled tenant is refused from memory, without a grain activation or a database
/// read. One refresh runs at a time; requests wait for it at most <see cref="TenantCache.StaleWait"/>
/// and otherwise use the last list (also when the cluster does not answer), so a catalog grain on
/// a silo that just died does not hold up every request of the node.
/// </summary>
public sealed class TenantCatalogCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private volatile Snapshot? _snapshot;
    private Task<Snapshot>? _refresh;

    public async ValueTask<TenantEntry?> FindAsync(string tenant)
    {
        var snapshot = _snapshot;
        if (snapshot is null)
        {
            snapshot = await Refresh(force: false);
        }
        else if (time.GetUtcNow() - snapshot.LoadedAt >= MaxAge)
        {
            try
            {
                snapshot = await Refresh(force: false).WaitAsync(TenantCache.StaleWait, time);
            }
            catch (TimeoutException)
            {
                // The refresh goes on; this request uses the last list.
            }
        }
        return snapshot.Catalog.Tenants.GetValueOrDefault(tenant);
    }

    /// <summary>
    /// Every tenant, by id, from a list loaded after this call started (one call that answers a few
    /// bytes when the list did not change), sorted once per version of the list rather than per request.
    /// </summary>
    public async Task<IReadOnlyList<TenantEntry>> ListAsync() => (await Refresh(force: true)).ById;

    /// <summary>Reloads now (after a change made through this node): a load that starts after the change.</summary>
    public async Task RefreshAsync() => await Refresh(force: true);

    private Task<Snapshot> Refresh(bool force)
    {
        lock (_lock)
        {
            if (_refresh is null || _refresh.IsCompleted) _refresh = Task.Run(LoadAsync);
            else if (force) _refresh = AfterAsync(_refresh);
            return _refresh;
        }
    }

    private async Task<Snapshot> AfterAsync(Task previous)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // Its callers saw it; this load is the one that counts.
        }
        return await LoadAsync();
    }

    private async Task<Snapshot> LoadAsync()
    {
        var previous = _snapshot;
        try
        {
            // The whole list only when it changed: otherwise a few bytes, however many tenants.
            var catalog = await grains.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key).GetIfChanged(previous?.Catalog.Stamp);
            return _snapshot = catalog is null ? previous! with { LoadedAt = time.GetUtcNow() } : new Snapshot(catalog, time.GetUtcNow());
        }
        catch (Exception) when (previous is not null)
        {
            // Keep serving the last known list through the outage; try again after MaxAge.
            return _snapshot = previous with { LoadedAt = time.GetUtcNow() };
        }
    }

    private sealed record Snapshot(TenantCatalog Catalog, DateTimeOffset LoadedAt)
    {
        private IReadOnlyList<TenantEntry>? _byId;

        /// <summary>The tenants by id, sorted on first need and kept with the list (a copy with a new LoadedAt keeps it).</summary>
        public IReadOnlyList<TenantEntry> ById => _byId ??= Catalog.Tenants.Values.OrderBy(t => t.Id, StringComparer.Ordinal).ToArray();
    }
}
