using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// The list of tenants of the deployment (one grain, key <see cref="Key"/>): what API nodes cache
/// so that an unknown or disabled tenant is refused without a grain activation or a database read.
/// Tenants are few (customers, not users), so one list is small.
/// </summary>
public interface ITenantCatalogGrain : IGrainWithStringKey
{
    public const string Key = "catalog";

    [ReadOnly]
    Task<TenantCatalog> GetAll();

    /// <summary>Adds a tenant (or updates its entry).</summary>
    Task<TenantCatalog> Put(TenantEntry entry);
}

[GenerateSerializer, Immutable]
public sealed record TenantEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] bool Disabled,
    [property: Id(3)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable]
public sealed record TenantCatalog(
    [property: Id(0)] IReadOnlyDictionary<string, TenantEntry> Tenants,
    [property: Id(1)] int Version);
