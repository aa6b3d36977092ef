using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Tenants;

[GenerateSerializer]
public sealed class TenantCatalogState : IVersionedState
{
    [Id(0)] public Dictionary<string, TenantEntry> Tenants { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public int Version { get; set; }
    [Id(2)] public int Shape { get; set; }
}

public sealed class TenantCatalogGrain(
    [PersistentState("catalog", StorageNames.Grains)] IPersistentState<TenantCatalogState> state) : Grain, ITenantCatalogGrain
{
    /// <summary>Names this activation in the stamps it answers.</summary>
    private readonly string _activation = Guid.NewGuid().ToString("N");

    /// <summary>The answer for the current version, built once per change (immutable: never copied for a call on this silo).</summary>
    private TenantCatalog? _snapshot;

    public Task<TenantCatalog> GetAll() => Task.FromResult(Snapshot());

    public Task<TenantCatalog?> GetIfChanged(string? stamp)
    {
        var current = Snapshot();
        return Task.FromResult(string.Equals(stamp, current.Stamp, StringComparison.Ordinal) ? null : current);
    }

    public Task<TenantEntry?> Find(string id) => Task.FromResult(state.State.Tenants.GetValueOrDefault(id));

    public async Task<TenantCatalog> Put(TenantEntry entry)
    {
        await StoreAsync([entry]);
        return Snapshot();
    }

    public async Task<int> PutMany(IReadOnlyList<TenantEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > ITenantCatalogGrain.MaxBatch)
            throw new ArgumentException($"At most {ITenantCatalogGrain.MaxBatch} entries at once, not {entries.Count}", nameof(entries));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry is null || !TenantIds.IsValid(entry.Id)) throw new ArgumentException($"Invalid tenant id '{entry?.Id}'", nameof(entries));
            if (!ids.Add(entry.Id)) throw new ArgumentException($"Tenant '{entry.Id}' is given twice", nameof(entries));
        }

        await StoreAsync(entries);
        return state.State.Version;
    }

    /// <summary>The entries that differ from the list's, in one write and one new version; nothing when none does.</summary>
    private async Task StoreAsync(IEnumerable<TenantEntry> entries)
    {
        var changed = false;
        foreach (var entry in entries)
        {
            if (state.State.Tenants.TryGetValue(entry.Id, out var existing) && existing == entry) continue;
            state.State.Tenants[entry.Id] = entry;
            changed = true;
        }
        if (!changed) return;
        state.State.Version++;
        _snapshot = null;
        await state.WriteOrDeactivateAsync(this);
    }

    private TenantCatalog Snapshot() => _snapshot ??= new(
        new Dictionary<string, TenantEntry>(state.State.Tenants, StringComparer.Ordinal), state.State.Version, $"{_activation}.{state.State.Version}");
}
