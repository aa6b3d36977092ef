using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Directory;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>Lists a tenant's clients from the client directory.</summary>
[StatelessWorker, Reentrant]
public sealed class ClientRegistryGrain(IClientDirectory directory) : Grain, IClientRegistryGrain
{
    public Task<ClientPage> ListClients(string tenant, int limit, int page) => directory.QueryAsync(tenant, limit, page);
}
