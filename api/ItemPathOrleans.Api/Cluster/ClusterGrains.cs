using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Cluster;

/// <summary>
/// Where the API finds each grain: the cluster-wide services live under one key
/// (<see cref="ServiceKey"/>), a user and a tenant under their own. The feature clients and the
/// token validation ask here rather than spelling keys themselves.
/// </summary>
public static class ClusterGrains
{
    /// <summary>The key of the stateless, cluster-wide service grains.</summary>
    public const long ServiceKey = 0;

    public static IAuthenticationGrain Authentication(this IGrainFactory grains) => grains.GetGrain<IAuthenticationGrain>(ServiceKey);

    public static IUserRegistryGrain UserRegistry(this IGrainFactory grains) => grains.GetGrain<IUserRegistryGrain>(ServiceKey);

    public static ITenantAdminGrain TenantAdmin(this IGrainFactory grains) => grains.GetGrain<ITenantAdminGrain>(ServiceKey);

    public static ISsoLoginGrain SsoLogin(this IGrainFactory grains) => grains.GetGrain<ISsoLoginGrain>(ServiceKey);

    public static ITenantCatalogGrain TenantCatalog(this IGrainFactory grains) => grains.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);

    public static ITenantGrain Tenant(this IGrainFactory grains, string tenant) => grains.GetGrain<ITenantGrain>(tenant);

    public static IClientRegistryGrain ClientRegistry(this IGrainFactory grains) => grains.GetGrain<IClientRegistryGrain>(ServiceKey);

    public static IClientGrain Client(this IGrainFactory grains, string tenant, string clientId) => grains.GetGrain<IClientGrain>(GrainKeys.Client(tenant, clientId));

    public static IUserGrain User(this IGrainFactory grains, string tenant, int userId) => grains.GetGrain<IUserGrain>(GrainKeys.User(tenant, userId));
}
