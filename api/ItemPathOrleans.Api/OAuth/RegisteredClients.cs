using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// The OAuth endpoints' calls to registered clients: one client grain call authenticates a
/// client for a request (and, for <c>client_credentials</c>, mints its token); a client's token
/// revoked here is forgotten at once by this node's revocation cache.
/// </summary>
public sealed class RegisteredClients(IGrainFactory grains, RevocationCache revocations)
{
    /// <summary>Once: a <c>private_key_jwt</c> assertion is spent by the call.</summary>
    public Task<ClientGrantResult> AuthenticateAsync(string tenant, ClientProof proof, string? grantType, string? scope) =>
        ClusterCalls.OnceAsync(() => grains.Client(tenant, proof.ClientId).Authenticate(proof, grantType, scope));

    /// <summary>Revokes one of a client's tokens until its expiry; false when its client has no room left for more.</summary>
    public async Task<bool> RevokeTokenAsync(ClientTokenIdentity token)
    {
        var revoked = await ClusterCalls.OnceAsync(() => grains.Client(token.Tenant, token.ClientId).RevokeToken(token.Jti, token.ExpiresAt));
        revocations.ForgetClient(token.Tenant, token.ClientId);
        return revoked;
    }
}
