using System.Collections.Concurrent;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace ItemPathOrleans.Grains.Directory;

/// <summary>The client directory of fast tests and storage-less runs, shared per service like <see cref="InMemoryUserDirectory"/>.</summary>
public sealed class InMemoryClientDirectory(IOptions<ClusterOptions> cluster) : IClientDirectory
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<(string Tenant, string ClientId), ClientInfo>> Services = new();

    private ConcurrentDictionary<(string Tenant, string ClientId), ClientInfo> Clients =>
        Services.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public Task UpsertAsync(ClientInfo client, CancellationToken cancellationToken = default)
    {
        Clients[(client.Tenant, client.ClientId)] = client;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string tenant, string clientId, CancellationToken cancellationToken = default)
    {
        Clients.TryRemove((tenant, clientId), out _);
        return Task.CompletedTask;
    }

    public Task<ClientPage> QueryAsync(string tenant, int limit, int page, CancellationToken cancellationToken = default)
    {
        var all = Clients.Values.Where(c => c.Tenant == tenant).OrderBy(c => c.CreatedAt).ThenBy(c => c.ClientId, StringComparer.Ordinal).ToList();
        var slice = all.Skip((int)Math.Min(int.MaxValue, (long)page * limit)).Take(limit).ToList();
        return Task.FromResult(new ClientPage(slice, all.Count));
    }
}
