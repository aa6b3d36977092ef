using System.Buffers.Text;
using System.Security.Cryptography;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Clients;

/// <summary>
/// The cluster calls of the client management API, for one tenant's admins: the client grains
/// and the client registry, reads retried, changes made once, a cluster that does not answer a
/// 503 (<see cref="ClusterCalls"/>); a change that may stop tokens (a disable, a deletion) is
/// forgotten at once by this node's revocation cache.
/// </summary>
public sealed class ClientAdminClient(IGrainFactory grains, RevocationCache revocations)
{
    public Task<ClientPage> ListAsync(string tenant, int limit, int page) =>
        ClusterCalls.RepeatableAsync(() => grains.ClientRegistry().ListClients(tenant, limit, page));

    /// <summary>Creates the client under the id given, or a generated one.</summary>
    public Task<ClientChangeResult> CreateAsync(string tenant, ClientFields fields)
    {
        var clientId = fields.ClientId ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        return ClusterCalls.OnceAsync(() => grains.Client(tenant, clientId).Create(fields with { ClientId = clientId }));
    }

    public Task<ClientInfo?> FindAsync(string tenant, string clientId) => ClusterCalls.RepeatableAsync(() => grains.Client(tenant, clientId).Get());

    public async Task<ClientChangeResult> UpdateAsync(string tenant, string clientId, ClientFields fields)
    {
        var result = await ClusterCalls.OnceAsync(() => grains.Client(tenant, clientId).Update(fields));
        revocations.ForgetClient(tenant, clientId);
        return result;
    }

    public async Task<bool> DeleteAsync(string tenant, string clientId)
    {
        var deleted = await ClusterCalls.OnceAsync(() => grains.Client(tenant, clientId).Delete());
        revocations.ForgetClient(tenant, clientId);
        return deleted;
    }

    public Task<ClientChangeResult> AddSecretAsync(string tenant, string clientId) => ClusterCalls.OnceAsync(() => grains.Client(tenant, clientId).AddSecret());

    public Task<bool> RemoveSecretAsync(string tenant, string clientId, string secretId) =>
        ClusterCalls.OnceAsync(() => grains.Client(tenant, clientId).RemoveSecret(secretId));
}
