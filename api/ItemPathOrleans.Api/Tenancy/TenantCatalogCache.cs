using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Api.Tenancy;

/// <summary>
/// The API node's copy of the tenant list, refreshed at most every <see cref="MaxAge"/>: an
/// unknown or disabled tenant is refused from memory, without a grain activation or a database
/// read. When the cluster does not answer, the last list is used.
/// </summary>
public sealed class TenantCatalogCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private volatile Snapshot? _snapshot;
    private readonly SemaphoreSlim _refresh = new(1, 1);

    public async ValueTask<TenantEntry?> FindAsync(string tenant)
    {
        var snapshot = _snapshot;
        if (snapshot is null || time.GetUtcNow() - snapshot.LoadedAt >= MaxAge) snapshot = await RefreshAsync(force: false);
        return snapshot?.Catalog.Tenants.GetValueOrDefault(tenant);
    }

    /// <summary>Reloads now (after a change made through this node).</summary>
    public async Task RefreshAsync() => await RefreshAsync(force: true);

    private async Task<Snapshot?> RefreshAsync(bool force)
    {
        // One request refreshes; the others wait for it rather than calling the grain too.
        await _refresh.WaitAsync();
        try
        {
            var current = _snapshot;
            if (!force && current is not null && time.GetUtcNow() - current.LoadedAt < MaxAge) return current;
            try
            {
                var catalog = await grains.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key).GetAll();
                _snapshot = new Snapshot(catalog, time.GetUtcNow());
            }
            catch (Exception) when (current is not null)
            {
                // Keep serving the last known list through a short outage.
            }
            return _snapshot;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private sealed record Snapshot(TenantCatalog Catalog, DateTimeOffset LoadedAt);
}
