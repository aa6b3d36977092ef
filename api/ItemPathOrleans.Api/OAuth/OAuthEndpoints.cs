using System.Globalization;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Keys;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.Sessions;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// Standard OAuth 2.0 in front of the same sessions as the ItemPath endpoints (the same
/// <see cref="SessionClient"/>): the token endpoint (password and refresh_token grants, RFC 6749),
/// revocation (RFC 7009), introspection (RFC 7662) and the authorization server metadata
/// (RFC 8414). Each tenant's endpoints live under its issuer, <c>{Tokens:Issuer}/{tenant}/oauth/…</c>;
/// the same endpoints without the tenant segment serve the request's tenant.
/// </summary>
public static class OAuthEndpoints
{
    private const string TooManyFailures = "Too many failed login attempts; retry later";

    public static IEndpointRouteBuilder MapOAuthEndpoints(this IEndpointRouteBuilder app)
    {
        MapTenantEndpoints(app.MapGroup("/{tenant}/oauth").WithMetadata(new TenantScoped("tenant")), "OfTenant", "the tenant the path names");
        MapTenantEndpoints(app.MapGroup("/oauth").WithMetadata(new TenantScoped()), "", "the request's tenant");

        app.MapGet(OAuthRequests.MetadataPath + "/{tenant}", Metadata).WithMetadata(new TenantScoped("tenant"))
            .WithName("OAuthMetadataOfTenant").WithSummary("RFC 8414 authorization server metadata of the tenant the path names")
            .Produces<OAuthErrorJson>(StatusCodes.Status404NotFound);
        app.MapGet(OAuthRequests.MetadataPath, Metadata).WithMetadata(new TenantScoped())
            .WithName("OAuthMetadata").WithSummary("RFC 8414 authorization server metadata of the request's tenant")
            .Produces<OAuthErrorJson>(StatusCodes.Status404NotFound);
        return app;
    }

    private static void MapTenantEndpoints(RouteGroupBuilder group, string nameSuffix, string whose)
    {
        group.AllowAnonymous().RequireRateLimiting(AuthRateLimiting.Policy).AddEndpointFilter(NeverCached);

        group.MapPost("/token", Token)
            .WithName("OAuthToken" + nameSuffix)
            .WithSummary($"OAuth 2.0 token endpoint of {whose}: grant_type password or refresh_token")
            .Produces<OAuthTokenJson>()
            .ProducesOAuthErrors();
        group.MapPost("/revoke", Revoke)
            .WithName("OAuthRevoke" + nameSuffix)
            .WithSummary($"OAuth 2.0 token revocation (RFC 7009) of {whose}: revokes the token's session; 200 for any token")
            .Produces(StatusCodes.Status200OK)
            .ProducesOAuthErrors();
        group.MapPost("/introspect", Introspect)
            .WithName("OAuthIntrospect" + nameSuffix)
            .WithSummary($"OAuth 2.0 token introspection (RFC 7662) of {whose}; the caller presents an application token as Bearer")
            .Produces<OAuthIntrospectionJson>()
            .ProducesOAuthErrors(StatusCodes.Status401Unauthorized);
    }

    /// <summary>
    /// The RFC 6749 §5.2 errors an endpoint answers: 400, 404 (unknown tenant), 429 (request rate
    /// limit), 503 when the cluster does not answer, and <paramref name="more"/>.
    /// </summary>
    private static RouteHandlerBuilder ProducesOAuthErrors(this RouteHandlerBuilder endpoint, params int[] more)
    {
        int[] always = [StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable];
        foreach (var status in more.Concat(always).Order())
            endpoint.Produces<OAuthErrorJson>(status);
        return endpoint;
    }

    private static async Task<IResult> Token(OAuthTokenForm form, HttpContext context, SessionClient sessions, PresentedTokens presented, TimeProvider time) =>
        form.GrantType switch
        {
            OAuthTokenForm.PasswordGrant => await PasswordGrantAsync(form, context, sessions, time),
            OAuthTokenForm.RefreshTokenGrant => await RefreshTokenGrantAsync(form, context, sessions, presented, time),
            _ => new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthErrors.UnsupportedGrantType, "Supported grant types: password, refresh_token"),
        };

    private static async Task<IResult> PasswordGrantAsync(OAuthTokenForm form, HttpContext context, SessionClient sessions, TimeProvider time)
    {
        var result = await sessions.LoginAsync(context.Tenant(), ClientAddress.Of(context), form.Username!, form.Password!, form.ClientId, operation: "OAuthToken");
        if (result.Error == TokenError.LockedOut) return OAuthErrors.Grant(TooManyFailures, TimeSpan.FromSeconds(result.RetryAfterSeconds));
        if (result.Error != TokenError.None) return OAuthErrors.Grant(TokenErrors.Message(result.Error));
        return TokenAnswer(result.Access!, result.Refresh!, time);
    }

    private static async Task<IResult> RefreshTokenGrantAsync(OAuthTokenForm form, HttpContext context, SessionClient sessions, PresentedTokens presented, TimeProvider time)
    {
        var refresh = await presented.ValidateAsync(context, form.RefreshToken!, TokenClaims.RefreshType, SessionLookup.EndpointCall);
        if (refresh.Verdict.Unavailable is not null) return OAuthErrors.Unavailable();
        if (refresh.Identity is not { } identity) return OAuthErrors.Grant(refresh.Verdict.Refusal!);

        var result = await sessions.RefreshAsync(context.Tenant(), identity, operation: "OAuthToken");
        if (result.Error != TokenError.None) return OAuthErrors.Grant(TokenErrors.Message(result.Error));
        // With rotation off there is no new refresh token: the client keeps the one it has.
        return TokenAnswer(result.Access!, result.Refresh, time);
    }

    private static async Task<IResult> Revoke(OAuthTokenParameterForm form, HttpContext context, SessionClient sessions, PresentedTokens presented)
    {
        // RFC 7009 §2.2: a token that is invalid, expired or already revoked is answered 200 all the same.
        var subject = await presented.ValidateAsync(context, form.Token, expectedType: null, SessionLookup.RevocationCache);
        if (subject.Verdict.Unavailable is not null) return OAuthErrors.Unavailable();
        if (subject.Identity is { } identity) await sessions.RevokeAsync(identity, identity.SessionId, RevocationReasons.Logout);
        return TypedResults.Ok();
    }

    private static async Task<IResult> Introspect(OAuthTokenParameterForm form, HttpContext context, PresentedTokens presented)
    {
        var caller = await context.AuthenticateAsync(TokenSchemes.Access);
        if (caller.Failure is Cluster.ClusterUnavailableException) return OAuthErrors.Unavailable();
        if (!caller.Succeeded) return caller.Failure is null
            ? OAuthErrors.Unauthorized("Missing Authorization Header", tokenPresented: false)
            : OAuthErrors.Unauthorized(TokenValidation.Describe(caller.Failure), tokenPresented: true);
        if (TokenIdentity.From(caller.Principal!).SessionKind != SessionKinds.Application)
            return OAuthErrors.Unauthorized("Only application tokens may introspect", tokenPresented: true);

        // The user grain, not the cache: a token revoked a moment ago is inactive now.
        var subject = await presented.ValidateAsync(context, form.Token, expectedType: null, SessionLookup.UserGrain);
        if (subject.Verdict.Unavailable is not null) return OAuthErrors.Unavailable();
        if (subject is not { Token: { } jwt, Identity: { } identity, Verdict.Session: { } session }) return TypedResults.Ok(OAuthIntrospectionJson.Inactive);

        var isRefresh = jwt.GetPayloadValue<string>(TokenClaims.Type) == TokenClaims.RefreshType;
        // A spent refresh token (rotation on) no longer refreshes: not active, though its session is.
        if (isRefresh && session.CurrentRefreshJti != identity.Jti) return TypedResults.Ok(OAuthIntrospectionJson.Inactive);
        var use = session.Kind == SessionKinds.Application ? "application_token" : isRefresh ? "refresh_token" : "access_token";
        return TypedResults.Ok(new OAuthIntrospectionJson(
            Active: true,
            Sub: identity.UserId.ToString(CultureInfo.InvariantCulture),
            // The name now, not the token's identity claim: a rename may have given that to someone else.
            Username: session.Username ?? identity.Username,
            TokenType: "Bearer",
            TokenUse: use,
            Exp: jwt.TryGetPayloadValue<long>(TokenClaims.Expires, out var exp) ? exp : null,
            Iat: jwt.GetPayloadValue<long>(TokenClaims.IssuedAt),
            Iss: jwt.Issuer,
            Tid: identity.Tenant,
            Sid: identity.SessionId,
            ClientId: session.ClientId));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<OAuthMetadataJson> Metadata(HttpContext context, IOptions<TokensOptions> tokens)
    {
        var issuer = tokens.Value.IssuerFor(context.Tenant().Id);
        return TypedResults.Ok(new OAuthMetadataJson(
            Issuer: issuer,
            TokenEndpoint: issuer + "/oauth/token",
            RevocationEndpoint: issuer + "/oauth/revoke",
            IntrospectionEndpoint: issuer + "/oauth/introspect",
            GrantTypesSupported: [OAuthTokenForm.PasswordGrant, OAuthTokenForm.RefreshTokenGrant],
            TokenEndpointAuthMethodsSupported: ["none"],
            RevocationEndpointAuthMethodsSupported: ["none"],
            ResponseTypesSupported: [],
            JwksUri: issuer + KeyEndpoints.JwksPath));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<OAuthTokenJson> TokenAnswer(IssuedToken access, IssuedToken? refresh, TimeProvider time)
    {
        var expiresIn = (long)Math.Floor((access.ExpiresAt!.Value - time.GetUtcNow()).TotalSeconds);
        return TypedResults.Ok(new OAuthTokenJson(access.Token, "Bearer", Math.Max(0, expiresIn), refresh?.Token));
    }

    /// <summary>
    /// Token answers are never cached (RFC 6749 §5.1). A cluster that does not answer throws on to
    /// <c>ErrorBoundary</c>, whose 503 takes the OAuth shape with Retry-After.
    /// </summary>
    private static ValueTask<object?> NeverCached(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var response = context.HttpContext.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        return next(context);
    }
}
