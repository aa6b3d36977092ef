using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Directory;

/// <summary>
/// The queryable copy of client registrations that serves lists and totals (grain state cannot
/// be queried); each client grain upserts here after its own write.
/// </summary>
public interface IClientDirectory
{
    Task UpsertAsync(ClientInfo client, CancellationToken cancellationToken = default);

    Task DeleteAsync(string tenant, string clientId, CancellationToken cancellationToken = default);

    /// <summary>A tenant's clients in order of creation, paged, with the total.</summary>
    Task<ClientPage> QueryAsync(string tenant, int limit, int page, CancellationToken cancellationToken = default);
}
