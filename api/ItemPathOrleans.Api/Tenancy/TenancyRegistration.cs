using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.ClusterNode.Tenants;

namespace ItemPathOrleans.Api.Tenancy;

public static class TenancyRegistration
{
    /// <summary>How requests find their tenant: the options, and this node's caches of the tenant list and of each tenant.</summary>
    public static IServiceCollection AddTenancy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TenancyOptions>(configuration, TenancyOptions.Section);
        services.AddSingleton<TenantCache>();
        services.AddSingleton<TenantCatalogCache>();
        return services;
    }
}
