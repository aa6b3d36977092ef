using ItemPathOrleans.Contracts.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// What the contract's rules read of a token whose signature has been verified
/// (<see cref="TokenValidation.CheckAsync"/>, <see cref="ClientTokenValidation"/>), read from the
/// parsed token once: its header's <c>typ</c>, <c>kid</c> and <c>alg</c>, its audience, and the
/// claims those rules name, each as <see cref="System.Security.Claims.Claim.Value"/> gives it, or
/// null when absent. A token is immutable, so a token presented again (<see cref="ValidatedTokens"/>)
/// is checked from these without reading its payload again, and the memory keeps these rather than
/// the parsed token.
/// </summary>
/// <param name="Audience">The single audience, or null when the token has none or several (validation refuses those before any rule reads it).</param>
public sealed record TokenFacts(
    string Typ, string Kid, string Alg,
    string? Audience,
    string? Type, string? Tenant, string? Issuer, string? Subject, string? Id, string? SessionId, string? UserId,
    string? Identity, string? ClientId,
    bool HasScope, bool HasExpiry, long? IssuedAt)
{
    public static TokenFacts Of(JsonWebToken token) => new(
        token.Typ, token.Kid, token.Alg,
        SingleAudience(token),
        Claim(token, TokenClaims.Type), Claim(token, TokenClaims.Tenant), Claim(token, TokenClaims.Issuer), Claim(token, TokenClaims.Subject),
        Claim(token, TokenClaims.Id), Claim(token, TokenClaims.SessionId), Claim(token, TokenClaims.UserId),
        Claim(token, TokenClaims.Identity), Claim(token, TokenClaims.ClientId),
        token.TryGetPayloadValue<string>(TokenClaims.Scope, out _),
        token.TryGetPayloadValue<long>(TokenClaims.Expires, out _),
        token.TryGetPayloadValue<long>(TokenClaims.IssuedAt, out var iat) ? iat : null);

    /// <summary>
    /// A client's own token: <c>at+jwt</c> without a user. (An access token a client got for a user
    /// through the authorization code flow is <c>at+jwt</c> too, with the user's <c>uid</c>: a
    /// user's token, checked as one.)
    /// </summary>
    public bool IsClientToken => Typ == TokenClaims.ClientTokenTyp && UserId is null;

    private static string? SingleAudience(JsonWebToken token)
    {
        string? single = null;
        foreach (var audience in token.Audiences)
        {
            if (single is not null) return null;
            single = audience;
        }
        return single;
    }

    /// <summary>A claim of a parsed token as <see cref="System.Security.Claims.Claim.Value"/> gives it, or null when absent.</summary>
    internal static string? Claim(JsonWebToken token, string name) =>
        token.TryGetClaim(name, out var claim) ? claim.Value : null;
}
