using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>Stateless orchestration of tenant administration: create with a first admin, disable, enable.</summary>
public interface ITenantAdminGrain : IGrainWithIntegerKey
{
    Task<TenantChangeResult> CreateTenant(string id, string name, string adminUsername, string adminPassword);

    Task<TenantChangeResult> SetDisabled(string id, bool disabled);
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
