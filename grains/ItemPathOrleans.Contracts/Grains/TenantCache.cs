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

    /// <summary>
    /// The tenant, or null if it does not exist. A copy older than <paramref name="minVersion"/>
    /// (a version the caller has already seen) is refreshed at once.
    /// </summary>
    public async ValueTask<TenantInfo?> FindAsync(string tenant, int minVersion = 0)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(tenant, out var entry) && now - entry.LoadedAt < MaxAge && (entry.Info?.Version ?? 0) >= minVersion)
            return entry.Info;
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

    public async ValueTask<TenantInfo> GetAsync(string tenant, int minVersion = 0) =>
        await FindAsync(tenant, minVersion) ?? throw new InvalidOperationException($"Tenant '{tenant}' does not exist.");

    /// <summary>Takes a copy just answered by the tenant grain (after a change made through this node).</summary>
    public void Update(TenantInfo info) => _entries[info.Id] = new Entry(info, time.GetUtcNow());

    private sealed record Entry(TenantInfo? Info, DateTimeOffset LoadedAt);
}
