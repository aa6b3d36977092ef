using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;

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
    internal static async Task<TokenVerdict> CheckAsync(HttpContext http, TokenFacts token, TokensOptions tokens, SessionLookup lookup)
    {
        var tenant = http.Tenant();
        if (token.Tenant != tenant.Id || token.Issuer != tokens.IssuerFor(tenant.Id))
            return TokenVerdict.Refused("Token is not valid for this tenant");
        if (token.UserId is not null || token.Type is not null || token.Identity is not null || token.SessionId is not null)
            return TokenVerdict.Refused("Invalid token");
        var clientId = token.ClientId;
        var version = tenant.Info.FindKey(token.Kid);
        if (version is null || token.Alg != tenant.Info.Settings.Algorithm || token.Alg != version.Alg
            || token.Audience != tokens.Audience
            || !ClientVocabulary.IsClientId(clientId) || token.Subject != clientId
            || string.IsNullOrEmpty(token.Id)
            || !token.HasScope
            || !token.HasExpiry
            || token.IssuedAt is not { } iat
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
        return check.Accepts(token.Id!, iat) ? TokenVerdict.AcceptedClient(check) : TokenVerdict.Refused("Token has been revoked");
    }
}
