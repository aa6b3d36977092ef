using System.Collections.Concurrent;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// A node-local, short-lived copy of tenant settings and key rings (silos mint with it, API
/// nodes validate with it), so a token costs no call to the tenant grain. A change applies on
/// every node within <see cref="MaxAge"/>. When the cluster does not answer, the last known copy
/// is used, so validation keeps working through a short outage.
/// </summary>
public sealed class TenantCache(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The tenant, or null if it does not exist.</summary>
    public async ValueTask<TenantInfo?> FindAsync(string tenant)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(tenant, out var entry) && now - entry.LoadedAt < MaxAge) return entry.Info;
        try
        {
            var info = await grains.GetGrain<ITenantGrain>(tenant).Get();
            _entries[tenant] = new Entry(info, now);
            return info;
        }
        catch (Exception) when (entry is not null)
        {
            return entry.Info;
        }
    }

    public async ValueTask<TenantInfo> GetAsync(string tenant) =>
        await FindAsync(tenant) ?? throw new InvalidOperationException($"Tenant '{tenant}' does not exist.");

    private sealed record Entry(TenantInfo? Info, DateTimeOffset LoadedAt);
}
