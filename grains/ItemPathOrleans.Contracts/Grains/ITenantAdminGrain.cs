using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>Stateless orchestration of tenant administration: create with a first admin, disable, enable.</summary>
public interface ITenantAdminGrain : IGrainWithIntegerKey
{
    Task<TenantChangeResult> CreateTenant(string id, string name, string adminUsername, string adminPassword);

    Task<TenantChangeResult> SetDisabled(string id, bool disabled);

    /// <summary>
    /// Creates many tenants at once, each with its first admin, for an import or a load test's
    /// seeding: the same rules as <see cref="CreateTenant"/> (a valid id not in the catalog, given
    /// once in the batch; a name; a valid admin username), but each admin's password arrives as an
    /// Argon2id hash (<see cref="NewTenant.AdminPasswordHash"/>, the same string may serve every
    /// tenant: no hash is computed here), and the catalog takes the whole batch in one write
    /// (<see cref="ITenantCatalogGrain.PutMany"/>). At most <see cref="ITenantCatalogGrain.MaxBatch"/>
    /// tenants a call. Answers one result per tenant, in order: a tenant that breaks a rule is
    /// refused alone and the others are created. Idempotent like <see cref="CreateTenant"/>: a batch
    /// that failed half-way can be sent again (its finished tenants then answer AlreadyExists).
    /// </summary>
    Task<IReadOnlyList<TenantChangeResult>> CreateTenants(IReadOnlyList<NewTenant> tenants);
}

/// <summary>A tenant for <see cref="ITenantAdminGrain.CreateTenants"/>: its first admin's password as an Argon2id PHC string.</summary>
[GenerateSerializer, Immutable]
public sealed record NewTenant(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string AdminUsername,
    [property: Id(3)] string AdminPasswordHash)
{
    public override string ToString() => $"NewTenant {{ Id = {Id}, Name = {Name}, AdminUsername = {AdminUsername}, AdminPasswordHash = [redacted] }}";
}

public enum TenantChangeError
{
    None,
    Invalid,
    WeakPassword,
    AlreadyExists,
    NotFound,
}

[GenerateSerializer, Immutable]
public sealed record TenantChangeResult(
    [property: Id(0)] TenantChangeError Error,
    [property: Id(1)] TenantInfo? Tenant,
    [property: Id(2)] string? Detail)
{
    public static TenantChangeResult Fail(TenantChangeError error, string detail) => new(error, null, detail);
}
