using System.Collections.Concurrent;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Tenants;

/// <summary>
/// A silo-local, short-lived cache of tenant settings and key rings, so minting a token does
/// not cost a call to the tenant grain. Settings apply within <see cref="MaxAge"/>.
/// </summary>
public sealed class TenantCatalog(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (TenantInfo? Info, DateTimeOffset LoadedAt)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<TenantInfo?> FindAsync(string tenant)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(tenant, out var entry) && now - entry.LoadedAt < MaxAge) return entry.Info;
        var info = await grains.GetGrain<ITenantGrain>(tenant).Get();
        _cache[tenant] = (info, now);
        return info;
    }

    public async ValueTask<TenantInfo> GetAsync(string tenant) =>
        await FindAsync(tenant) ?? throw new InvalidOperationException($"Tenant '{tenant}' does not exist.");
}
