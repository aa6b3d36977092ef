using System.Buffers.Text;
using System.Security.Cryptography;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// A client's <c>client_credentials</c> token: its lifetime (the client's
/// <c>accessTokenLifetimeSeconds</c>, else the tenant's access lifetime) and its issue time, never
/// before the client's <c>TokensValidFrom</c>: a token minted in the very second the client was
/// enabled again is not mistaken for one issued before it was disabled.
/// </summary>
public static class ClientTokens
{
    public static ClientTokenDescriptor Describe(ClientInfo client, TenantSettings settings, string scope, long tokensValidFrom, DateTimeOffset now)
    {
        var iat = Math.Max(now.ToUnixTimeSeconds(), tokensValidFrom);
        var lifetime = client.AccessTokenLifetimeSeconds ?? settings.AccessTokenLifetimeSeconds;
        return new ClientTokenDescriptor(client.ClientId, Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), scope, iat, iat + lifetime);
    }
}
