using ItemPathOrleans.Contracts.Grains;
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
    public Task<TenantCatalog> GetAll() => Task.FromResult(Snapshot());

    public async Task<TenantCatalog> Put(TenantEntry entry)
    {
        if (state.State.Tenants.TryGetValue(entry.Id, out var existing) && existing == entry) return Snapshot();
        state.State.Tenants[entry.Id] = entry;
        state.State.Version++;
        await state.WriteOrDeactivateAsync(this);
        return Snapshot();
    }

    private TenantCatalog Snapshot() => new(new Dictionary<string, TenantEntry>(state.State.Tenants, StringComparer.Ordinal), state.State.Version);
}
