using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// One authorization code (key <see cref="GrainKeys.Code"/>: the tenant and the SHA-256 of the
/// code, never the code itself): the single writer that makes it single use. It is stored when
/// issued, so a silo failure does not lose a code that was answered, and stored as spent before
/// any token is minted, so two redemptions on two silos cannot both succeed (the second
/// activation's write loses on the ETag). A second redemption revokes what the first one issued.
/// </summary>
public interface IAuthorizationCodeGrain : IGrainWithStringKey
{
    /// <summary>Stores the code's grant; false when the key is already taken (a collision: issue another).</summary>
    Task<bool> Issue(CodeGrant code);

    /// <summary>
    /// Redeems the code for the client that authenticated as <paramref name="clientId"/>, with the
    /// redirect URI and the PKCE verifier of its request. Any attempt spends the code.
    /// </summary>
    Task<ClientSessionResult> Redeem(string clientId, string redirectUri, string codeVerifier);
}
