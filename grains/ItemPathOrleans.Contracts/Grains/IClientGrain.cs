using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// One registered OAuth client of a tenant (key <see cref="GrainKeys.Client"/>): the single writer
/// of its registration, secret digests, used assertion ids, revoked token ids, quota and status.
/// </summary>
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>Registers the client; <see cref="ClientChangeError.Exists"/> if it is registered.</summary>
    Task<ClientChangeResult> Create(ClientFields fields);

    /// <summary>The client, or null when it is not registered.</summary>
    [ReadOnly]
    Task<ClientInfo?> Get();

    /// <summary>Changes the fields given, keeps the others.</summary>
    Task<ClientChangeResult> Update(ClientFields fields);

    /// <summary>Deletes the client: its tokens stop; false when it was not registered.</summary>
    Task<bool> Delete();

    /// <summary>Adds a secret (several may live at once, for rollover).</summary>
    Task<ClientChangeResult> AddSecret();

    /// <summary>Removes a secret; false when there is no such client or secret.</summary>
    Task<bool> RemoveSecret(string secretId);

    /// <summary>
    /// Authenticates the client for one request of a grant (null: revocation or introspection)
    /// and checks the scope asked for; for <c>client_credentials</c> it also mints the token.
    /// </summary>
    Task<ClientGrantResult> Authenticate(ClientProof proof, string? grantType, string? scope);

    /// <summary>What the API's revocation cache keeps for this client.</summary>
    [ReadOnly]
    Task<ClientCheck> Check();

    /// <summary>Revokes one of its access tokens until the token's expiry; false when no room is left.</summary>
    Task<bool> RevokeToken(string jti, long expiresAt);
}
