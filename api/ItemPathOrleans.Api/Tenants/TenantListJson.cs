namespace ItemPathOrleans.Api.Tenants;

public sealed record TenantListJson(IReadOnlyList<TenantJson> Tenants, int Total);
