using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using ItemPathOrleans.Api.Http;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// JwtBearer configured for this cluster's tokens (RFC 8725): HS256 only, <c>typ</c> JWT,
/// <c>kid</c> looked up only in the request tenant's key ring, audience, issuer and tenant
/// matched, 30 s skew, then the token type for the endpoint and the revocation check.
/// </summary>
public static class TokenValidation
{
    public static IServiceCollection AddItemPathTokenValidation(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<SigningKeyResolver>();
        services.AddSingleton<RevocationCache>();
        services.AddOptions<JwtBearerOptions>(TokenSchemes.Access).Configure<SigningKeyResolver, IOptions<TokensOptions>>((o, keys, tokens) => Configure(o, TokenClaims.AccessType, keys, tokens.Value));
        services.AddOptions<JwtBearerOptions>(TokenSchemes.Refresh).Configure<SigningKeyResolver, IOptions<TokensOptions>>((o, keys, tokens) => Configure(o, TokenClaims.RefreshType, keys, tokens.Value));
        services.AddOptions<JwtBearerOptions>(TokenSchemes.Any).Configure<SigningKeyResolver, IOptions<TokensOptions>>((o, keys, tokens) => Configure(o, null, keys, tokens.Value));

        services.AddAuthentication(TokenSchemes.Access)
            .AddJwtBearer(TokenSchemes.Access)
            .AddJwtBearer(TokenSchemes.Refresh)
            .AddJwtBearer(TokenSchemes.Any);

        services.AddAuthorizationBuilder()
            .AddPolicy(TokenSchemes.AccessPolicy, p => p.AddAuthenticationSchemes(TokenSchemes.Access).RequireAuthenticatedUser())
            .AddPolicy(TokenSchemes.RefreshPolicy, p => p.AddAuthenticationSchemes(TokenSchemes.Refresh).RequireAuthenticatedUser())
            .AddPolicy(TokenSchemes.AnyTokenPolicy, p => p.AddAuthenticationSchemes(TokenSchemes.Any).RequireAuthenticatedUser())
            .AddPolicy(TokenSchemes.AdminPolicy, p => p.AddAuthenticationSchemes(TokenSchemes.Access).RequireClaim(TokenSchemes.AdminClaim, "true"));
        return services;
    }

    /// <param name="expectedType">The token type the scheme accepts; null for either.</param>
    private static void Configure(JwtBearerOptions o, string? expectedType, SigningKeyResolver keys, TokensOptions tokens)
    {
        o.MapInboundClaims = false;
        o.RequireHttpsMetadata = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = ["JWT"],
            ValidateAudience = true,
            ValidAudience = tokens.Audience,
            // The issuer depends on the request's tenant: checked in OnTokenValidated.
            ValidateIssuer = false,
            ValidateLifetime = true,
            RequireExpirationTime = false,
            ClockSkew = TokenClaims.ClockSkew,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = false,
            IssuerSigningKeyResolver = keys.Resolve,
            NameClaimType = TokenClaims.Identity,
        };
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = context => OnTokenValidated(context, expectedType, tokens),
            OnChallenge = OnChallenge,
            OnForbidden = context => ProblemResult.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Admin rights required"),
        };
    }

    private static async Task OnTokenValidated(TokenValidatedContext context, string? expectedType, TokensOptions tokens)
    {
        var token = (JsonWebToken)context.SecurityToken;
        var tenant = context.HttpContext.Tenant();

        var type = Claim(token, TokenClaims.Type);
        if (type is not (TokenClaims.AccessType or TokenClaims.RefreshType) || (expectedType is not null && type != expectedType))
        {
            Reject(context, expectedType == TokenClaims.RefreshType ? "Only refresh tokens are allowed" : "Only non-refresh tokens are allowed");
            return;
        }
        if (Claim(token, TokenClaims.Tenant) != tenant.Id || Claim(token, TokenClaims.Issuer) != tokens.IssuerFor(tenant.Id))
        {
            Reject(context, "Token is not valid for this tenant");
            return;
        }
        var jti = Claim(token, TokenClaims.Id);
        var sid = Claim(token, TokenClaims.SessionId);
        if (string.IsNullOrEmpty(jti) || string.IsNullOrEmpty(sid)
            || !int.TryParse(Claim(token, TokenClaims.UserId), NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            || !token.TryGetPayloadValue<long>(TokenClaims.IssuedAt, out var iat)
            // Compared as numbers: a hostile iat can lie beyond any date a DateTimeOffset holds.
            || iat > context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds() + (long)TokenClaims.ClockSkew.TotalSeconds)
        {
            Reject(context, "Invalid token");
            return;
        }

        var cache = context.HttpContext.RequestServices.GetRequiredService<RevocationCache>();
        if (!cache.Enabled) return;
        SessionCheck check;
        try
        {
            check = await cache.CheckAsync(tenant.Id, uid, sid, TimeSpan.FromSeconds(tenant.Info.Settings.RevocationLatencySeconds));
        }
        catch (Exception ex) when (ClusterFailures.IsUnavailable(ex))
        {
            context.Fail(new ClusterUnavailableException(ex));
            return;
        }

        var neverExpires = !token.TryGetPayloadValue<long>(TokenClaims.Expires, out _);
        var isApplication = check.Kind == SessionKinds.Application;
        if (!check.UserActive) Reject(context, "User is not active");
        else if (!check.SessionActive) Reject(context, "Token has been revoked");
        // Only an application session may carry a token without exp, and only with its own id.
        else if (neverExpires != isApplication || (isApplication && jti != sid)) Reject(context, "Invalid token");
        else
        {
            // Whether a refresh token is current, the immediately previous one or a spent one is
            // for the user grain to decide: it replays, rotates or revokes.
            var identity = (ClaimsIdentity)context.Principal!.Identity!;
            if (check.Kind is not null) identity.AddClaim(new Claim(TokenSchemes.SessionKindClaim, check.Kind));
            if (check.IsAdmin) identity.AddClaim(new Claim(TokenSchemes.AdminClaim, "true"));
        }
    }

    private static string? Claim(JsonWebToken token, string name) =>
        token.TryGetClaim(name, out var claim) ? claim.Value : null;

    private static void Reject(TokenValidatedContext context, string message) => context.Fail(new TokenRejectedException(message));

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
    private static string Describe(Exception failure) => failure switch
    {
        TokenRejectedException rejected => rejected.Message,
        SecurityTokenExpiredException => "Token has expired",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "Signature verification failed",
        SecurityTokenNotYetValidException => "Token is not yet valid",
        _ => "Invalid token",
    };

    /// <summary>Finds the key a <c>kid</c> names, in the request tenant's ring and nowhere else.</summary>
    public sealed class SigningKeyResolver(IHttpContextAccessor accessor, SigningKeyDerivation derivation)
    {
        /// <summary>Set on a request whose token names a retired key version: it was revoked, not forged.</summary>
        public const string RetiredKeyItem = "itempath:retired-key";

        private readonly ConcurrentDictionary<(string Tenant, string Kid, string MasterKeyId, string Salt), SecurityKey> _keys = new();

        public IEnumerable<SecurityKey> Resolve(string token, SecurityToken securityToken, string kid, TokenValidationParameters parameters)
        {
            var http = accessor.HttpContext;
            var tenant = http?.Features.Get<RequestTenant>();
            if (tenant is null || string.IsNullOrEmpty(kid)) return [];
            var version = tenant.Info.FindKey(kid);
            if (version is null) return [];
            if (version.RetiredAt is not null)
            {
                http!.Items[RetiredKeyItem] = true;
                return [];
            }
            var key = _keys.GetOrAdd((tenant.Id, version.Kid, version.MasterKeyId, Convert.ToBase64String(version.Salt)), _ =>
            {
                var secret = derivation.SecretFor(tenant.Id, version);
                return secret is null ? null! : new SymmetricSecurityKey(secret) { KeyId = version.Kid };
            });
            return key is null ? [] : [key];
        }
    }
}

/// <summary>A token that validated cryptographically but is refused by a rule of the contract.</summary>
public sealed class TokenRejectedException(string message) : Exception(message);

/// <summary>The revocation check could not be answered: the request gets a 503, never a pass.</summary>
public sealed class ClusterUnavailableException(Exception inner) : Exception("The cluster did not answer.", inner);
