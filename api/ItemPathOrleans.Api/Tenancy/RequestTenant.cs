using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Tenancy;

/// <summary>The tenant a request belongs to, resolved before authentication.</summary>
public sealed record RequestTenant(TenantInfo Info, bool IsOperator)
{
    public string Id => Info.Id;
}
