using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;

namespace ItemPathOrleans.Grains.Tenants;

[GenerateSerializer]
public sealed class TenantState : IVersionedState
{
    [Id(0)] public TenantInfo? Info { get; set; }
    [Id(1)] public int LastUserId { get; set; }
    [Id(2)] public bool Bootstrapped { get; set; }
    /// <summary>Ids of the tenant's active admins: the last one cannot be removed.</summary>
    [Id(3)] public HashSet<int> ActiveAdmins { get; set; } = [];
    [Id(4)] public int Shape { get; set; }
}
