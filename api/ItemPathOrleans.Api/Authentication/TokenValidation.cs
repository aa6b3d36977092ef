using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// JwtBearer configured for this cluster's tokens (RFC 8725): <c>typ</c> JWT, <c>kid</c> looked up
/// only in the request tenant's key ring, audience, issuer and tenant matched, 30 s skew, then the
/// token type for the endpoint, the algorithm and audience for that type, and the revocation check.
/// Access and application tokens: the tenant's one algorithm (HS256 or ES256) and audience
/// <c>Tokens:Audience</c>. Refresh tokens: HS256 and the tenant's issuer as audience (those
/// issued before refresh tokens had an audience of their own keep validating until they expire).
/// </summary>
public static class TokenValidation
{
    public static IServiceCollection AddItemPathTokenValidation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TokensOptions>(configuration, TokensOptions.Section, o => o.Validate());
        services.AddValidatedOptions<RevocationOptions>(configuration, RevocationOptions.Section);
        services.AddSingleton<SigningKeyDerivation>();
        services.AddHttpContextAccessor();
        services.TryAddSingleton<EcSigningKeys>();
        services.AddSingleton<SigningKeyResolver>();
        services.AddSingleton<RevocationCache>();
        services.AddSingleton<PresentedTokens>();
        services.AddValidatedOptions<ValidatedTokenOptions>(configuration, ValidatedTokenOptions.Section);
        services.AddSingleton<ValidatedTokens>();
        // The resource schemes remember the tokens they verified; the refresh scheme does not (a
        // refresh token is presented once per refresh, and its endpoint asks the user grain anyway).
        services.AddOptions<JwtBearerOptions>(TokenSchemes.Access).Configure<SigningKeyResolver, IOptions<TokensOptions>, TimeProvider, ValidatedTokens>((o, keys, tokens, time, validated) =>
        {
            Configure(o, TokenClaims.AccessType, keys, tokens.Value, time, validated);
            // The default scheme, which the authentication middleware runs on every request, hands
            // an endpoint of another scheme's policy to that scheme: its token is validated once,
            // as the endpoint takes it (not first as an access token, which a refresh token fails
            // only after its parse and signature, and then again for the policy).
            o.ForwardDefaultSelector = TokenSchemes.OwnSchemeOf;
        });
        services.AddOptions<JwtBearerOptions>(TokenSchemes.Refresh).Configure<SigningKeyResolver, IOptions<TokensOptions>, TimeProvider>((o, keys, tokens, time) => Configure(o, TokenClaims.RefreshType, keys, tokens.Value, time, null));
        services.AddOptions<JwtBearerOptions>(TokenSchemes.Any).Configure<SigningKeyResolver, IOptions<TokensOptions>, TimeProvider, ValidatedTokens>((o, keys, tokens, time, validated) => Configure(o, null, keys, tokens.Value, time, validated));

        services.AddAuthentication(TokenSchemes.Access)
            .AddJwtBearer(TokenSchemes.Access)
            .AddJwtBearer(TokenSchemes.Refresh)
            .AddJwtBearer(TokenSchemes.Any);

        // The access scheme is the default one: the authentication middleware has already run it,
        // so its policies read the request's user as it left it (naming the scheme again would have
        // the authorization middleware authenticate once more and merge a copy of the same user on
        // every request), and challenge and forbid through it as the default. The refresh and
        // either-token policies name their own scheme.
        services.AddAuthorizationBuilder()
            .AddPolicy(TokenSchemes.AccessPolicy, p => p.RequireClaim(TokenSchemes.TokenKindClaim, TokenSchemes.UserKind))
            .AddPolicy(TokenSchemes.RefreshPolicy, p => p.AddAuthenticationSchemes(TokenSchemes.Refresh).RequireClaim(TokenSchemes.TokenKindClaim, TokenSchemes.UserKind))
            .AddPolicy(TokenSchemes.AnyTokenPolicy, p => p.AddAuthenticationSchemes(TokenSchemes.Any).RequireClaim(TokenSchemes.TokenKindClaim, TokenSchemes.UserKind))
            .AddPolicy(TokenSchemes.AdminPolicy, p => p.RequireClaim(TokenSchemes.AdminClaim, "true"))
            .AddPolicy(TokenSchemes.BearerPolicy, p => p.RequireAuthenticatedUser());
        return services;
    }

    /// <param name="expectedType">The token type the scheme accepts; null for either.</param>
    /// <param name="validated">The tokens this node has verified, or null for a scheme that verifies every token in full.</param>
    private static void Configure(JwtBearerOptions o, string? expectedType, SigningKeyResolver keys, TokensOptions tokens, TimeProvider time, ValidatedTokens? validated)
    {
        o.MapInboundClaims = false;
        o.RequireHttpsMetadata = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            // Narrowed per request to the tenant's one algorithm by the key resolver.
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.EcdsaSha256],
            // A user's token or a client's (RFC 9068); which one is checked as what it is in CheckAsync.
            ValidTypes = [TokenClaims.UserTokenTyp, TokenClaims.ClientTokenTyp],
            // Refined per token type in CheckAsync: the resource audience, or the issuer of the token's own tenant.
            ValidateAudience = true,
            AudienceValidator = (audiences, token, _) => IsKnownAudience(audiences, token, tokens),
            // The issuer depends on the request's tenant: checked in OnTokenValidated.
            ValidateIssuer = false,
            ValidateLifetime = true,
            RequireExpirationTime = false,
            ClockSkew = TokenClaims.ClockSkew,
            // The host's clock (a test's fake one too) decides expiry, like every other time rule.
            LifetimeValidator = (notBefore, expires, _, _) => ValidateLifetime(notBefore, expires, time),
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = false,
            IssuerSigningKeyResolver = keys.Resolve,
            NameClaimType = TokenClaims.Identity,
        };
        o.Events = new JwtBearerEvents
        {
            OnMessageReceived = validated is null ? _ => Task.CompletedTask : context => OnMessageReceived(context, expectedType, tokens, validated),
            OnTokenValidated = context => OnTokenValidated(context, expectedType, tokens, validated),
            OnChallenge = OnChallenge,
            OnForbidden = context => ProblemResult.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                context.HttpContext.User.HasClaim(TokenSchemes.TokenKindClaim, TokenSchemes.ClientKind) ? "User token required" : "Admin rights required"),
        };
    }

    private static bool IsKnownAudience(IEnumerable<string> audiences, SecurityToken token, TokensOptions tokens)
    {
        if (audiences.SingleOrDefault() is not { } audience) throw new SecurityTokenInvalidAudienceException("A token has exactly one audience.");
        if (audience == tokens.Audience) return true;
        if (token is JsonWebToken jwt && TokenFacts.Claim(jwt, TokenClaims.Tenant) is { } tenant && audience == tokens.IssuerFor(tenant)) return true;
        throw new SecurityTokenInvalidAudienceException("The token's audience is not this service's.");
    }

    /// <summary>Whether <see cref="ValidateLifetime"/> would accept these times now.</summary>
    internal static bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (notBefore is { } start && expires is { } end && start > end) return false;
        if (notBefore is { } nbf && nbf > now + TokenClaims.ClockSkew) return false;
        return expires is not { } exp || exp >= now - TokenClaims.ClockSkew;
    }

    private static bool ValidateLifetime(DateTime? notBefore, DateTime? expires, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (notBefore is { } start && expires is { } end && start > end) throw new SecurityTokenInvalidLifetimeException("The token expires before it starts.") { NotBefore = start, Expires = end };
        if (notBefore is { } nbf && nbf > now + TokenClaims.ClockSkew) throw new SecurityTokenNotYetValidException("The token is not yet valid.") { NotBefore = nbf };
        if (expires is { } exp && exp < now - TokenClaims.ClockSkew) throw new SecurityTokenExpiredException("The token has expired.") { Expires = exp };
        return true;
    }

    /// <summary>
    /// A token this node has verified before, under the request tenant's current copy and within its
    /// lifetime, skips the parse and the signature (<see cref="ValidatedTokens"/>); the rest of the
    /// validation, the session or client check included, runs as for any token
    /// (<see cref="AcceptAsync"/>). Any other token is left to the handler, which validates it in full.
    /// </summary>
    private static async Task OnMessageReceived(MessageReceivedContext context, string? expectedType, TokensOptions tokens, ValidatedTokens validated)
    {
        if (!validated.Enabled || context.HttpContext.Features.Get<RequestTenant>() is not { } tenant) return;
        // Looked up in the header's own text: a token found needs no copy of it, and one not found
        // is read from the header by the handler, which validates it in full.
        if (validated.Find(BearerToken(context.Request), tenant.Info) is not { } entry) return;

        var identity = entry.NewIdentity();
        if (await AcceptAsync(context.HttpContext, entry.Facts, identity, expectedType, tokens) is { } failure)
        {
            context.Fail(failure);
            return;
        }
        context.Principal = new ClaimsPrincipal(identity);
        context.Properties.ExpiresUtc = entry.Expires;
        context.Properties.IssuedUtc = entry.NotBefore;
        context.Success();
    }

    /// <summary>The bearer token as JwtBearer reads it from the Authorization header (empty when there is none).</summary>
    private static ReadOnlySpan<char> BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization.AsSpan("Bearer ".Length).Trim() : default;
    }

    private static async Task OnTokenValidated(TokenValidatedContext context, string? expectedType, TokensOptions tokens, ValidatedTokens? validated)
    {
        var jwt = (JsonWebToken)context.SecurityToken;
        var facts = TokenFacts.Of(jwt);
        var identity = (ClaimsIdentity)context.Principal!.Identity!;
        // The claims as the signature check produced them, before this request's own are added.
        var remember = validated is { Enabled: true } && context.HttpContext.Features.Get<RequestTenant>() is not null;
        var signed = remember ? identity.Claims.Select(claim => claim.Clone(null)).ToArray() : null;
        if (await AcceptAsync(context.HttpContext, facts, identity, expectedType, tokens) is { } failure)
        {
            context.Fail(failure);
            return;
        }
        if (remember) validated!.Add(jwt.EncodedToken, jwt, facts, signed!, identity, context.HttpContext.Tenant().Info);
    }

    /// <summary>
    /// After the signature, algorithm, audience and lifetime have passed: the contract's rules and
    /// the session check (<see cref="CheckAsync"/>), then the claims this request adds to the
    /// token's own. Null when accepted, else the failure the challenge describes.
    /// </summary>
    private static async Task<Exception?> AcceptAsync(HttpContext http, TokenFacts token, ClaimsIdentity identity, string? expectedType, TokensOptions tokens)
    {
        // A refresh token's endpoints (refresh, application token) each make one user grain call
        // that decides the session and the user itself: asking the grain before it would double it.
        var lookup = expectedType == TokenClaims.RefreshType ? SessionLookup.EndpointCall : SessionLookup.RevocationCache;
        var verdict = await CheckAsync(http, token, expectedType, tokens, lookup);
        if (verdict.Unavailable is { } unavailable) return unavailable;
        if (verdict.Refusal is { } refusal) return new TokenRejectedException(refusal);
        if (token.IsClientToken)
        {
            identity.AddClaim(new Claim(TokenSchemes.TokenKindClaim, TokenSchemes.ClientKind));
        }
        else if (verdict.Session is { } check)
        {
            // Whether a refresh token is current, the immediately previous one or a spent one is
            // for the user grain to decide: it replays, rotates or revokes.
            if (check.Kind is not null) identity.AddClaim(new Claim(TokenSchemes.SessionKindClaim, check.Kind));
            if (check.IsAdmin) identity.AddClaim(new Claim(TokenSchemes.AdminClaim, "true"));
            if (check.Username is not null) identity.AddClaim(new Claim(TokenSchemes.UsernameClaim, check.Username));
            identity.AddClaim(new Claim(TokenSchemes.TokenKindClaim, TokenSchemes.UserKind));
            http.Features.Set(new CheckedSession(check));
        }
        else
        {
            identity.AddClaim(new Claim(TokenSchemes.TokenKindClaim, TokenSchemes.UserKind));
        }
        return null;
    }

    /// <summary>
    /// The contract's rules over a token whose signature, algorithm, audience and lifetime have
    /// passed: its type for the endpoint, tenant and issuer, its claims, then whether its session
    /// and user are active, as <paramref name="lookup"/> says: from the revocation cache, from the
    /// user grain itself, or left to the endpoint's own grain call. Every token the API accepts, in
    /// a header or a form, passes here.
    /// </summary>
    internal static async Task<TokenVerdict> CheckAsync(HttpContext http, TokenFacts token, string? expectedType, TokensOptions tokens, SessionLookup lookup)
    {
        // A client's token is checked as one, whatever the endpoint: the policies decide who may use it.
        if (token.IsClientToken) return await ClientTokenValidation.CheckAsync(http, token, tokens, lookup);
        var tenant = http.Tenant();

        // RFC 8725 §3.11: a user token is typed JWT and carries nothing of a client token, except
        // the access token a client got for the user (authorization code flow): typed at+jwt, with
        // the RFC 9068 client_id and scope. A refresh token is never typed so.
        var delegated = token.Typ == TokenClaims.ClientTokenTyp;
        if (delegated != (token.ClientId is not null)) return TokenVerdict.Refused("Invalid token");
        var type = token.Type;
        if (type is not (TokenClaims.AccessType or TokenClaims.RefreshType) || (expectedType is not null && type != expectedType))
            return TokenVerdict.Refused(expectedType == TokenClaims.RefreshType ? "Only refresh tokens are allowed" : "Only non-refresh tokens are allowed");
        if (delegated && (type != TokenClaims.AccessType || !token.HasScope)) return TokenVerdict.Refused("Invalid token");
        if (token.Tenant != tenant.Id || token.Issuer != tokens.IssuerFor(tenant.Id))
            return TokenVerdict.Refused("Token is not valid for this tenant");
        if (!FitsItsType(token, type, tenant.Info, tokens)) return TokenVerdict.Refused("Invalid token");
        var jti = token.Id;
        var sid = token.SessionId;
        if (string.IsNullOrEmpty(jti) || string.IsNullOrEmpty(sid)
            || !int.TryParse(token.UserId, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || token.IssuedAt is not { } iat
            // Compared as numbers: a hostile iat can lie beyond any date a DateTimeOffset holds.
            || iat > http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds() + (long)TokenClaims.ClockSkew.TotalSeconds)
            return TokenVerdict.Refused("Invalid token");

        var neverExpires = !token.HasExpiry;
        // Only application sessions carry tokens without exp, and no refresh token names one.
        if (lookup == SessionLookup.EndpointCall) return neverExpires ? TokenVerdict.Refused("Invalid token") : TokenVerdict.Accepted(null);
        var cache = http.RequestServices.GetRequiredService<RevocationCache>();
        if (lookup == SessionLookup.RevocationCache && !cache.Enabled) return TokenVerdict.Accepted(null);
        SessionCheck check;
        try
        {
            check = lookup == SessionLookup.UserGrain
                ? await ClusterRetry.RunAsync(() => http.RequestServices.GetRequiredService<IGrainFactory>()
                    .GetGrain<IUserGrain>(GrainKeys.User(tenant.Id, uid)).CheckSession(sid))
                : await cache.CheckAsync(tenant.Id, uid, sid, TimeSpan.FromSeconds(tenant.Info.Settings.RevocationLatencySeconds));
        }
        catch (Exception ex) when (ClusterFailures.IsUnavailable(ex))
        {
            return TokenVerdict.NotAnswered(ex);
        }

        var isApplication = check.Kind == SessionKinds.Application;
        if (!check.UserActive) return TokenVerdict.Refused("User is not active");
        if (!check.SessionActive) return TokenVerdict.Refused("Token has been revoked");
        // Only an application session may carry a token without exp, and only with its own id.
        if (neverExpires != isApplication || (isApplication && jti != sid)) return TokenVerdict.Refused("Invalid token");
        // A client's session's access tokens are the client's, and only they are typed at+jwt.
        if (type == TokenClaims.AccessType && delegated != (check.Kind == SessionKinds.OpenId)) return TokenVerdict.Refused("Invalid token");
        if (delegated && token.ClientId != check.ClientId) return TokenVerdict.Refused("Invalid token");
        // A client's token for a user stops with its client too: disabled, deleted or re-created.
        if (delegated)
        {
            try
            {
                var client = lookup == SessionLookup.UserGrain
                    ? await ClusterRetry.RunAsync(() => http.RequestServices.GetRequiredService<IGrainFactory>().Client(tenant.Id, check.ClientId!).Check())
                    : await cache.CheckClientAsync(tenant.Id, check.ClientId!, TimeSpan.FromSeconds(tenant.Info.Settings.RevocationLatencySeconds));
                if (!client.Active || iat < client.TokensValidFrom) return TokenVerdict.Refused("Token has been revoked");
            }
            catch (Exception ex) when (ClusterFailures.IsUnavailable(ex))
            {
                return TokenVerdict.NotAnswered(ex);
            }
        }
        return TokenVerdict.Accepted(check);
    }

    /// <summary>
    /// The algorithm and audience each token type is issued with (see TokenMinter): a token of
    /// one type signed or addressed as another is refused, whatever its <c>type</c> claim says.
    /// </summary>
    private static bool FitsItsType(TokenFacts token, string type, TenantInfo tenant, TokensOptions tokens)
    {
        var version = tenant.FindKey(token.Kid);
        if (version is null) return false;
        var audience = token.Audience;
        var asResourceToken = audience == tokens.Audience && token.Alg == tenant.Settings.Algorithm && token.Alg == version.Alg;
        if (type != TokenClaims.RefreshType) return asResourceToken;
        // Refresh tokens issued before they had an audience of their own look like access tokens but for their type.
        return (audience == tokens.IssuerFor(tenant.Id) && token.Alg == SigningAlgorithms.HS256) || asResourceToken;
    }

    private static async Task OnChallenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        var metrics = http.RequestServices.GetService<AuthMetrics>();
        var operation = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        if (context.AuthenticateFailure is ClusterUnavailableException)
        {
            metrics?.Failed(operation ?? "unknown", AuthMetrics.Reasons.Unavailable);
            await Problems.Unavailable().ExecuteAsync(http);
            return;
        }

        if (context.AuthenticateFailure is null)
        {
            metrics?.TokenRefused(operation, "Missing Authorization Header");
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemResult.WriteAsync(http, StatusCodes.Status401Unauthorized, "Missing Authorization Header");
            return;
        }

        var message = http.Items.ContainsKey(SigningKeyResolver.RetiredKeyItem) ? "Token has been revoked" : Describe(context.AuthenticateFailure);
        metrics?.TokenRefused(operation, message);
        await Problems.InvalidToken(message).ExecuteAsync(http);
    }

    /// <summary>The contract's messages; never the token, never an internal exception text.</summary>
    internal static string Describe(Exception failure) => failure switch
    {
        TokenRejectedException rejected => rejected.Message,
        SecurityTokenExpiredException => "Token has expired",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "Signature verification failed",
        SecurityTokenNotYetValidException => "Token is not yet valid",
        _ => "Invalid token",
    };
}
