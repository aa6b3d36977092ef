using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Tenancy;

/// <summary>The tenant a request belongs to, resolved before authentication.</summary>
public sealed record RequestTenant(TenantInfo Info, bool IsOperator)
{
    public string Id => Info.Id;
}
