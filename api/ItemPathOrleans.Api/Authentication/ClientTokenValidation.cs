using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// The contract's rules over a registered client's token (RFC 9068, <c>typ</c> <c>at+jwt</c>)
/// whose signature, algorithm, audience and lifetime have passed: the request tenant's issuer and
/// <c>tid</c>, the resource audience, <c>client_id</c> = <c>sub</c>, an <c>exp</c>, nothing of a
/// user token (<c>uid</c>, <c>type</c>, <c>identity</c>, <c>sid</c>: RFC 8725 §3.11, the kinds
/// never mix), then the client's check: active, the token issued no earlier than the client's
/// <c>TokensValidFrom</c>, not revoked.
/// </summary>
public static class ClientTokenValidation
{
    /// <summary>
    /// A client's own token: <c>at+jwt</c> without a user. (An access token a client got for a user
    /// through the authorization code flow is <c>at+jwt</c> too, with the user's <c>uid</c>: a
    /// user's token, checked as one.)
    /// </summary>
    public static bool IsClientToken(JsonWebToken token) => token.Typ == TokenClaims.ClientTokenTyp && !token.TryGetClaim(TokenClaims.UserId, out _);

    internal static async Task<TokenVerdict> CheckAsync(HttpContext http, JsonWebToken token, TokensOptions tokens, SessionLookup lookup)
    {
        var tenant = http.Tenant();
        if (TokenValidation.Claim(token, TokenClaims.Tenant) != tenant.Id || TokenValidation.Claim(token, TokenClaims.Issuer) != tokens.IssuerFor(tenant.Id))
            return TokenVerdict.Refused("Token is not valid for this tenant");
        foreach (var userClaim in (ReadOnlySpan<string>)[TokenClaims.UserId, TokenClaims.Type, TokenClaims.Identity, TokenClaims.SessionId])
        {
            if (token.TryGetClaim(userClaim, out _)) return TokenVerdict.Refused("Invalid token");
        }
        var clientId = TokenValidation.Claim(token, TokenClaims.ClientId);
        var version = tenant.Info.FindKey(token.Kid);
        if (version is null || token.Alg != tenant.Info.Settings.Algorithm || token.Alg != version.Alg
            || token.Audiences.SingleOrDefault() != tokens.Audience
            || !ClientVocabulary.IsClientId(clientId) || TokenValidation.Claim(token, TokenClaims.Subject) != clientId
            || string.IsNullOrEmpty(TokenValidation.Claim(token, TokenClaims.Id))
            || !token.TryGetPayloadValue<string>(TokenClaims.Scope, out _)
            || !token.TryGetPayloadValue<long>(TokenClaims.Expires, out _)
            || !token.TryGetPayloadValue<long>(TokenClaims.IssuedAt, out var iat)
            || iat > http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds() + (long)TokenClaims.ClockSkew.TotalSeconds)
            return TokenVerdict.Refused("Invalid token");

        var cache = http.RequestServices.GetRequiredService<RevocationCache>();
        if (lookup != SessionLookup.UserGrain && !cache.Enabled) return TokenVerdict.AcceptedClient(null);
        ClientCheck check;
        try
        {
            check = lookup == SessionLookup.UserGrain
                ? await ClusterRetry.RunAsync(() => http.RequestServices.GetRequiredService<IGrainFactory>().Client(tenant.Id, clientId!).Check())
                : await cache.CheckClientAsync(tenant.Id, clientId!, TimeSpan.FromSeconds(tenant.Info.Settings.RevocationLatencySeconds));
        }
        catch (Exception ex) when (ClusterFailures.IsUnavailable(ex))
        {
            return TokenVerdict.NotAnswered(ex);
        }
        return check.Accepts(TokenValidation.Claim(token, TokenClaims.Id)!, iat) ? TokenVerdict.AcceptedClient(check) : TokenVerdict.Refused("Token has been revoked");
    }
}
