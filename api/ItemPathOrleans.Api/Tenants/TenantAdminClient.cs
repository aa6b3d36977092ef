using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Tenants;

/// <summary>
/// The cluster calls of tenant management: the tenant admin and tenant grains, reads through this
/// node's tenant caches, a cluster that does not answer a 503 (<see cref="ClusterCalls"/>), and
/// every change applied to those caches at once (this node serves it from the next request on,
/// the others within a second).
/// </summary>
public sealed class TenantAdminClient(IGrainFactory grains, TenantCache tenants, TenantCatalogCache catalog)
{
    /// <summary>The tenant an admin may manage: their own, or any for an operator admin; else the refusal (403 or 404).</summary>
    public async Task<(TenantInfo? Tenant, ProblemResult? Refusal)> ManagedAsync(RequestTenant caller, string id)
    {
        if (id == caller.Id) return (caller.Info, null);
        if (!caller.IsOperator) return (null, Problems.Forbidden("Admins manage only their own tenant"));
        var info = TenantIds.IsValid(id) ? await tenants.FindAsync(id) : null;
        return info is null ? (null, Problems.NotFound("Unknown tenant")) : (info, null);
    }

    public async Task<TenantChangeResult> CreateAsync(NewTenantRequest request)
    {
        var result = await ClusterCalls.OnceAsync(() =>
            grains.TenantAdmin().CreateTenant(request.Id!, request.Name ?? request.Id!, request.AdminUsername!, request.AdminPassword!));
        if (result.Error == TenantChangeError.None) await ChangedAsync(result.Tenant!, listChanged: true);
        return result;
    }

    /// <summary>One page of every tenant, by id, and how many there are.</summary>
    public async Task<(IReadOnlyList<TenantInfo> Page, int Total)> ListAsync(Paging paging)
    {
        var all = await catalog.ListAsync();
        var page = new List<TenantInfo>();
        foreach (var entry in paging.Apply(all))
        {
            if (await tenants.FindAsync(entry.Id) is { } info) page.Add(info);
        }
        return (page, all.Count);
    }

    /// <summary>Applies the settings, then the disabled flag when given; a setting out of its range is an <see cref="TenantChangeError.Invalid"/> naming it.</summary>
    public async Task<TenantChangeResult> UpdateAsync(TenantInfo tenant, TenantSettingsPatch patch, bool? disabled)
    {
        var (updated, invalid) = await ClusterCalls.OnceAsync(() => grains.Tenant(tenant.Id).UpdateSettings(patch));
        if (invalid is not null) return new TenantChangeResult(TenantChangeError.Invalid, null, invalid);
        if (disabled is { } value)
        {
            var result = await ClusterCalls.OnceAsync(() => grains.TenantAdmin().SetDisabled(tenant.Id, value));
            if (result.Error != TenantChangeError.None) return result;
            updated = result.Tenant;
            await catalog.RefreshAsync();
        }
        tenants.Update(updated!);
        return new TenantChangeResult(TenantChangeError.None, updated, null);
    }

    public async Task<TenantChangeResult> DisableAsync(string id)
    {
        var result = await ClusterCalls.OnceAsync(() => grains.TenantAdmin().SetDisabled(id, true));
        if (result.Error == TenantChangeError.None) await ChangedAsync(result.Tenant!, listChanged: true);
        return result;
    }

    private async Task ChangedAsync(TenantInfo tenant, bool listChanged)
    {
        tenants.Update(tenant);
        if (listChanged) await catalog.RefreshAsync();
    }
}
