using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// The list of tenants of the deployment (one grain, key <see cref="Key"/>): what API nodes cache
/// so that an unknown or disabled tenant is refused without a grain activation or a database read.
/// Tenants are customers, not users: one list of ten thousand is half a megabyte, and an API
/// node that asks every few seconds gets it again only when it changed (<see cref="GetIfChanged"/>).
/// </summary>
public interface ITenantCatalogGrain : IGrainWithStringKey
{
    public const string Key = "catalog";

    [ReadOnly]
    Task<TenantCatalog> GetAll();

    /// <summary>The list, or null when it is still the one whose <see cref="TenantCatalog.Stamp"/> the caller holds.</summary>
    [ReadOnly]
    Task<TenantCatalog?> GetIfChanged(string? stamp);

    /// <summary>One tenant's entry, or null.</summary>
    [ReadOnly]
    Task<TenantEntry?> Find(string id);

    /// <summary>Adds a tenant (or updates its entry).</summary>
    Task<TenantCatalog> Put(TenantEntry entry);

    /// <summary>
    /// Adds many tenants (or updates their entries) with one write of the list, where
    /// <see cref="Put"/> writes it once per tenant: a bulk creation
    /// (<see cref="ITenantAdminGrain.CreateTenants"/>). At most <see cref="MaxBatch"/> entries, each
    /// id valid and given once; a batch that breaks a rule is refused whole
    /// (<see cref="ArgumentException"/>) and nothing is stored. Answers the list's version.
    /// </summary>
    Task<int> PutMany(IReadOnlyList<TenantEntry> entries);

    public const int MaxBatch = 1000;
}

[GenerateSerializer, Immutable]
public sealed record TenantEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] bool Disabled,
    [property: Id(3)] DateTimeOffset CreatedAt);

/// <summary>
/// The list at one version. <see cref="Stamp"/> names it for <see cref="ITenantCatalogGrain.GetIfChanged"/>:
/// the version within one activation of the catalog, so a reactivation (a silo lost, the database
/// restored from a backup) never passes for the list a node already holds.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantCatalog(
    [property: Id(0)] IReadOnlyDictionary<string, TenantEntry> Tenants,
    [property: Id(1)] int Version,
    [property: Id(2)] string Stamp = "");
