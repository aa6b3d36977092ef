using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// An <c>id_token_hint</c> at sign-out (RP-Initiated Logout 1.0 §2): an ID token this tenant
/// issued, its signature checked with the RSA key of a live key version, its issuer the
/// tenant's; its expiry does not matter (a hint is usually old). What it says: the client
/// (<c>aud</c>), the user (<c>sub</c>) and the browser session (<c>sid</c>).
/// </summary>
public sealed record IdTokenHint(string ClientId, int UserId, string BrowserSessionId)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    /// <param name="reload">A fresh copy of the tenant, asked for only when the hint names the ID token key of a live version this copy knows without one.</param>
    public static async Task<IdTokenHint?> ValidateAsync(string? hint, TenantInfo tenant, string issuer, RsaSigningKeys keys, Func<ValueTask<TenantInfo?>> reload)
    {
        if (hint is not { Length: > 0 and <= 8192 } || !Handler.CanReadToken(hint)) return null;
        // A version's ID token key is made on its first need, perhaps through another node a moment
        // ago: this node's copy of the ring may not have it yet.
        if (NamesKeyNotYetKnown(hint, tenant) && await reload() is { } fresh) tenant = fresh;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = [TokenClaims.UserTokenTyp],
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = false,
            IssuerSigningKeyResolver = (_, _, kid, _) => tenant.Keys
                .Where(v => v.RetiredAt is null && v.HasIdTokenKey && RsaSigningKeys.IdTokenKid(v.Kid) == kid)
                .Select(v => new RsaSecurityKey(keys.PublicKey(tenant.Id, v)) { KeyId = kid })
                .ToList(),
        };
        var result = await Handler.ValidateTokenAsync(hint, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token) return null;
        if (token.Audiences.SingleOrDefault() is not { } clientId
            || !int.TryParse(token.Subject, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var userId)
            || !token.TryGetPayloadValue<string>("sid", out var sid) || string.IsNullOrEmpty(sid)) return null;
        return new IdTokenHint(clientId, userId, sid);
    }

    private static bool NamesKeyNotYetKnown(string hint, TenantInfo tenant)
    {
        string kid;
        try
        {
            kid = Handler.ReadJsonWebToken(hint).Kid;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return false;
        }
        return kid is { Length: > 0 } && tenant.Keys.Any(v => v.RetiredAt is null && !v.HasIdTokenKey && RsaSigningKeys.IdTokenKid(v.Kid) == kid);
    }
}
