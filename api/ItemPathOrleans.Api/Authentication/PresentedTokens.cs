using System.Security.Claims;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// Validates a token presented in a request body (the OAuth endpoints' <c>refresh_token</c> and
/// <c>token</c> parameters) exactly as the JwtBearer schemes validate a header: the same token
/// handler and validation parameters (the request tenant's one algorithm, <c>typ</c>, its key
/// ring, audience, lifetime with 30 s skew), then the same contract rules
/// (<see cref="TokenValidation.CheckAsync"/>).
/// </summary>
public sealed class PresentedTokens(IOptionsMonitor<JwtBearerOptions> schemes, IOptions<TokensOptions> tokens)
{
    /// <param name="expectedType">The token type the caller accepts (<c>refresh</c>); null for either.</param>
    /// <param name="lookup">Who says whether the session is active (a refresh grant leaves it to its own grain call).</param>
    public async Task<PresentedToken> ValidateAsync(HttpContext http, string token, string? expectedType, SessionLookup lookup)
    {
        // Every scheme has the same parameters; they differ only in the type their events accept.
        var options = schemes.Get(TokenSchemes.Any);
        var handler = options.TokenHandlers.OfType<JsonWebTokenHandler>().Single();
        var result = await handler.ValidateTokenAsync(token, options.TokenValidationParameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            // A retired key version means the token was revoked, not forged.
            var retired = http.Items.Remove(SigningKeyResolver.RetiredKeyItem);
            return new PresentedToken(null, null, TokenVerdict.Refused(retired
                ? "Token has been revoked"
                : TokenValidation.Describe(result.Exception ?? new InvalidOperationException())));
        }

        var facts = TokenFacts.Of(jwt);
        var isClient = facts.IsClientToken;
        // A client token is no refresh token, whatever it says (the schemes leave that to the policies).
        if (isClient && expectedType == TokenClaims.RefreshType) return new PresentedToken(null, null, TokenVerdict.Refused("Only refresh tokens are allowed"));
        var verdict = await TokenValidation.CheckAsync(http, facts, expectedType, tokens.Value, lookup);
        if (isClient)
            return verdict.IsAccepted ? new PresentedToken(jwt, null, verdict, ClientTokenIdentity.From(new ClaimsPrincipal(result.ClaimsIdentity))) : new PresentedToken(null, null, verdict);
        return verdict.IsAccepted
            ? new PresentedToken(jwt, TokenIdentity.From(new ClaimsPrincipal(result.ClaimsIdentity)), verdict)
            : new PresentedToken(null, null, verdict);
    }
}
