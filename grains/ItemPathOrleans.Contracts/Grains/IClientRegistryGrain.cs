using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>Lists a tenant's clients from the client directory (grain state cannot be queried).</summary>
public interface IClientRegistryGrain : IGrainWithIntegerKey
{
    [ReadOnly]
    Task<ClientPage> ListClients(string tenant, int limit, int page);
}
