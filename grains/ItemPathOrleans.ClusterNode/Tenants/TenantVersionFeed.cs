using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.ClusterNode.Tenants;

/// <summary>
/// A node's view of <see cref="ITenantVersionsGrain"/>: which version of each tenant is current,
/// asked for once per <see cref="TenantCache.MaxAge"/> for all of the node's tenants, so a copy
/// older than that is vouched for without a call to its tenant grain.
/// <para>
/// Why a vouched copy is current as of the view's <see cref="View.AsOf"/>: a tenant grain records
/// the version it is about to store before its write, so every change answered before the view
/// was asked for is in it, and a copy older than the version recorded is refreshed from its tenant
/// grain as before. The grain records again after the write, so a change recorded only in an
/// activation of the versions grain that has since gone still reaches the next one once it is
/// stored. A new epoch means the versions grain lost what it knew: copies loaded before the node
/// saw it are not vouched for, and refresh one by one. A copy is vouched for at most
/// <see cref="TrustAtMost"/> after its load, so that a change whose both records failed (the
/// versions grain and the tenant grain's silo lost together) applies within that.
/// </para>
/// When the versions grain does not answer, nothing is vouched for and every copy refreshes by
/// age from its own tenant grain, as without this view: the node waits for an ask at most
/// <see cref="TenantCache.StaleWait"/>, never for one that has run longer, and asks again only
/// after <see cref="TenantCache.MaxAge"/>.
/// </summary>
public sealed class TenantVersionFeed(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan TrustAtMost = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private volatile View? _view;
    private Task? _ask;
    private DateTimeOffset _askedAt = DateTimeOffset.MinValue;

    /// <summary>Whether a copy at <paramref name="version"/>, loaded at <paramref name="loadedAt"/>, is current as of less than <see cref="TenantCache.MaxAge"/> ago.</summary>
    public async ValueTask<bool> VouchesForAsync(string tenant, int version, DateTimeOffset loadedAt)
    {
        var view = _view;
        if (view is null || time.GetUtcNow() - view.AsOf >= TenantCache.MaxAge)
        {
            if (Ask() is not { } ask) return false;
            try
            {
                await ask.WaitAsync(TenantCache.StaleWait, time);
            }
            catch (Exception)
            {
                return false;
            }
            view = _view;
            if (view is null || time.GetUtcNow() - view.AsOf >= TenantCache.MaxAge) return false;
        }
        return loadedAt >= view.Since
               && time.GetUtcNow() - loadedAt < TrustAtMost
               && version >= view.Versions.GetValueOrDefault(tenant);
    }

    /// <summary>The ask in flight if it is young enough to wait for, or a new one if the last is older than MaxAge; else null.</summary>
    private Task? Ask()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_ask is { IsCompleted: false }) return now - _askedAt < TenantCache.StaleWait ? _ask : null;
            // A successful ask younger than MaxAge left a fresh view; a failed one waits its turn.
            if (now - _askedAt < TenantCache.MaxAge) return null;
            _askedAt = now;
            return _ask = Task.Run(() => AskAsync(now));
        }
    }

    private async Task AskAsync(DateTimeOffset askedAt)
    {
        var view = _view;
        var changes = await grains.GetGrain<ITenantVersionsGrain>(ITenantVersionsGrain.Key).Since(view?.Epoch ?? Guid.Empty, view?.Sequence ?? 0);
        if (view is null || changes.Whole || changes.Epoch != view.Epoch)
        {
            // Copies loaded before this ask may miss a change the lost epoch knew of.
            _view = new View(changes.Epoch, changes.Sequence, new Dictionary<string, int>(changes.Versions, StringComparer.Ordinal), askedAt, askedAt);
            return;
        }
        var versions = view.Versions;
        if (changes.Versions.Count > 0)
        {
            // A new dictionary: readers hold the old one without a lock.
            var merged = new Dictionary<string, int>(view.Versions, StringComparer.Ordinal);
            foreach (var (tenant, version) in changes.Versions)
                if (version > merged.GetValueOrDefault(tenant)) merged[tenant] = version;
            versions = merged;
        }
        _view = new View(changes.Epoch, changes.Sequence, versions, view.Since, askedAt);
    }

    /// <param name="Since">When the node first asked in this epoch: copies loaded before are not vouched for.</param>
    /// <param name="AsOf">When the node sent the ask this view answers: the view is current as of then.</param>
    private sealed record View(Guid Epoch, long Sequence, IReadOnlyDictionary<string, int> Versions, DateTimeOffset Since, DateTimeOffset AsOf);
}
