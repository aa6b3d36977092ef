using System.Collections.Concurrent;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Tenancy;

/// <summary>
/// The API node's cache of tenant settings and key rings, refreshed from the tenant grains at
/// most every <see cref="MaxAge"/>. When the cluster does not answer, the last known copy is
/// used, so validation keeps working through a short outage.
/// </summary>
public sealed class TenantDirectory(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

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

    private sealed record Entry(TenantInfo? Info, DateTimeOffset LoadedAt);
}
