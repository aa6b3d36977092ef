using System.Globalization;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>
/// Standard OAuth 2.0 in front of the same sessions as the ItemPath endpoints: the token
/// endpoint (password and refresh_token grants, RFC 6749), revocation (RFC 7009),
/// introspection (RFC 7662) and the authorization server metadata (RFC 8414). Each tenant's
/// endpoints live under its issuer, <c>{Tokens:Issuer}/{tenant}/oauth/…</c>; the same endpoints
/// without the tenant segment serve the request's tenant.
/// </summary>
public static class OAuthApi
{
    public const string MetadataPath = "/.well-known/oauth-authorization-server";
    public const int MaxClientIdLength = 128;
    public const string PasswordGrant = "password";
    public const string RefreshTokenGrant = "refresh_token";

    public static IEndpointRouteBuilder MapOAuthApi(this IEndpointRouteBuilder app)
    {
        MapTenantEndpoints(app.MapGroup("/{tenant}/oauth").WithMetadata(new TenantScoped("tenant")), "OfTenant", "the tenant the path names");
        MapTenantEndpoints(app.MapGroup("/oauth").WithMetadata(new TenantScoped()), "", "the request's tenant");

        app.MapGet(MetadataPath + "/{tenant}", Metadata).WithMetadata(new TenantScoped("tenant"))
            .WithName("OAuthMetadataOfTenant").WithSummary("RFC 8414 authorization server metadata of the tenant the path names")
            .Produces<OAuthMetadataJson>().Produces<OAuthErrorJson>(StatusCodes.Status404NotFound);
        app.MapGet(MetadataPath, Metadata).WithMetadata(new TenantScoped())
            .WithName("OAuthMetadata").WithSummary("RFC 8414 authorization server metadata of the request's tenant")
            .Produces<OAuthMetadataJson>().Produces<OAuthErrorJson>(StatusCodes.Status404NotFound);
        return app;
    }

    private static void MapTenantEndpoints(RouteGroupBuilder group, string nameSuffix, string whose)
    {
        group.AllowAnonymous().RequireRateLimiting(AuthRateLimiting.Policy).AddEndpointFilter(NeverCached);

        group.MapPost("/token", Token)
            .WithName("OAuthToken" + nameSuffix)
            .WithSummary($"OAuth 2.0 token endpoint of {whose}: grant_type password or refresh_token")
            .Accepts<OAuthTokenForm>(FormBody.MediaType)
            .Produces<OAuthTokenJson>()
            .ProducesOAuthErrors();
        group.MapPost("/revoke", Revoke)
            .WithName("OAuthRevoke" + nameSuffix)
            .WithSummary($"OAuth 2.0 token revocation (RFC 7009) of {whose}: revokes the token's session; 200 for any token")
            .Accepts<OAuthTokenParameterForm>(FormBody.MediaType)
            .Produces(StatusCodes.Status200OK)
            .ProducesOAuthErrors();
        group.MapPost("/introspect", Introspect)
            .WithName("OAuthIntrospect" + nameSuffix)
            .WithSummary($"OAuth 2.0 token introspection (RFC 7662) of {whose}; the caller presents an application token as Bearer")
            .Accepts<OAuthTokenParameterForm>(FormBody.MediaType)
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

    private static async Task<IResult> Token(HttpContext context, IGrainFactory grains, FailedLoginLimiter failedLogins, PresentedTokens presented, TimeProvider time)
    {
        var (form, failure) = await ReadFormAsync(context);
        if (failure is not null) return failure;
        string? error = null;
        var grantType = form!.Get("grant_type", ref error, required: true);
        var clientId = form.Get("client_id", ref error);
        if (error is not null) return OAuthErrors.BadRequest(error);
        if (clientId is not null && !IsClientId(clientId))
            return OAuthErrors.BadRequest($"client_id must be 1 to {MaxClientIdLength} printable ASCII characters");

        return grantType switch
        {
            PasswordGrant => await PasswordGrantAsync(context, form, clientId, grains, failedLogins, time),
            RefreshTokenGrant => await RefreshTokenGrantAsync(context, form, grains, presented, time),
            _ => new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthErrors.UnsupportedGrantType, "Supported grant types: password, refresh_token"),
        };
    }

    private static async Task<IResult> PasswordGrantAsync(HttpContext context, FormFields form, string? clientId, IGrainFactory grains, FailedLoginLimiter failedLogins, TimeProvider time)
    {
        var reservation = failedLogins.Reserve(ClientAddress.Of(context));
        if (reservation.Refusal is { } wait) return OAuthErrors.Grant(TooManyFailures, wait);
        string? error = null;
        var username = form.Get("username", ref error, required: true);
        var password = form.Get("password", ref error, required: true);
        error ??= SessionCalls.CredentialsProblem(username!, password!);
        if (error is not null)
        {
            reservation.GiveBack();
            return OAuthErrors.BadRequest(error);
        }

        var result = await SessionCalls.LoginAsync(context, grains, reservation, username!, password!, clientId, operation: "OAuthToken");
        if (result.Error == TokenError.LockedOut) return OAuthErrors.Grant(TooManyFailures, TimeSpan.FromSeconds(result.RetryAfterSeconds));
        if (result.Error != TokenError.None) return OAuthErrors.Grant(TokenErrors.Message(result.Error));
        return TokenAnswer(result.Access!, result.Refresh!, time);
    }

    private static async Task<IResult> RefreshTokenGrantAsync(HttpContext context, FormFields form, IGrainFactory grains, PresentedTokens presented, TimeProvider time)
    {
        string? error = null;
        var token = form.Get("refresh_token", ref error, required: true);
        if (error is not null) return OAuthErrors.BadRequest(error);

        var refresh = await presented.ValidateAsync(context, token!, TokenClaims.RefreshType, askUserGrain: false);
        if (refresh.Verdict.Unavailable is not null) return OAuthErrors.Unavailable();
        if (refresh.Identity is not { } identity) return OAuthErrors.Grant(refresh.Verdict.Refusal!);

        var result = await SessionCalls.RefreshAsync(context, grains, identity, operation: "OAuthToken");
        if (result.Error != TokenError.None) return OAuthErrors.Grant(TokenErrors.Message(result.Error));
        // With rotation off there is no new refresh token: the client keeps the one it has.
        return TokenAnswer(result.Access!, result.Refresh, time);
    }

    private static async Task<IResult> Revoke(HttpContext context, IGrainFactory grains, PresentedTokens presented)
    {
        // RFC 7009 §2.2: a token that is invalid, expired or already revoked is answered 200 all the same.
        var (subject, failure) = await PresentedTokenParameterAsync(context, presented, askUserGrain: false);
        if (failure is not null) return failure;
        if (subject!.Identity is { } identity)
            await SessionCalls.RevokeAsync(context, grains, identity, identity.SessionId, RevocationReasons.Logout);
        return TypedResults.Ok();
    }

    private static async Task<IResult> Introspect(HttpContext context, PresentedTokens presented)
    {
        var caller = await context.AuthenticateAsync(TokenSchemes.Access);
        if (caller.Failure is ClusterUnavailableException) return OAuthErrors.Unavailable();
        if (!caller.Succeeded) return caller.Failure is null
            ? OAuthErrors.Unauthorized("Missing Authorization Header", tokenPresented: false)
            : OAuthErrors.Unauthorized(TokenValidation.Describe(caller.Failure), tokenPresented: true);
        if (TokenIdentity.From(caller.Principal!).SessionKind != SessionKinds.Application)
            return OAuthErrors.Unauthorized("Only application tokens may introspect", tokenPresented: true);

        // The user grain, not the cache: a token revoked a moment ago is inactive now.
        var (subject, failure) = await PresentedTokenParameterAsync(context, presented, askUserGrain: true);
        if (failure is not null) return failure;
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

    private static IResult Metadata(HttpContext context, IOptions<TokensOptions> tokens)
    {
        var issuer = tokens.Value.IssuerFor(context.Tenant().Id);
        return TypedResults.Ok(new OAuthMetadataJson(
            Issuer: issuer,
            TokenEndpoint: issuer + "/oauth/token",
            RevocationEndpoint: issuer + "/oauth/revoke",
            IntrospectionEndpoint: issuer + "/oauth/introspect",
            GrantTypesSupported: [PasswordGrant, RefreshTokenGrant],
            TokenEndpointAuthMethodsSupported: ["none"],
            RevocationEndpointAuthMethodsSupported: ["none"],
            ResponseTypesSupported: [],
            JwksUri: issuer + "/.well-known/jwks.json"));
    }

    private const string TooManyFailures = "Too many failed login attempts; retry later";

    private static async Task<(FormFields? Form, IResult? Failure)> ReadFormAsync(HttpContext context)
    {
        var (form, invalid, tooLarge) = await FormBody.ReadAsync(context.Request);
        if (tooLarge is not null) return (null, tooLarge);
        return invalid is not null ? (null, OAuthErrors.BadRequest(invalid)) : (form, null);
    }

    /// <summary>The <c>token</c> parameter of revocation and introspection, validated; or the answer that refuses the request.</summary>
    private static async Task<(PresentedToken? Token, IResult? Failure)> PresentedTokenParameterAsync(HttpContext context, PresentedTokens presented, bool askUserGrain)
    {
        var (form, failure) = await ReadFormAsync(context);
        if (failure is not null) return (null, failure);
        string? error = null;
        var token = form!.Get("token", ref error, required: true);
        if (error is not null) return (null, OAuthErrors.BadRequest(error));
        var subject = await presented.ValidateAsync(context, token!, expectedType: null, askUserGrain);
        return subject.Verdict.Unavailable is not null ? (null, OAuthErrors.Unavailable()) : (subject, null);
    }

    private static IResult TokenAnswer(IssuedToken access, IssuedToken? refresh, TimeProvider time)
    {
        var expiresIn = (long)Math.Floor((access.ExpiresAt!.Value - time.GetUtcNow()).TotalSeconds);
        return TypedResults.Ok(new OAuthTokenJson(access.Token, "Bearer", Math.Max(0, expiresIn), refresh?.Token));
    }

    /// <summary>RFC 6749 appendix A.1: <c>client_id</c> is printable ASCII (VSCHAR); bounded here.</summary>
    private static bool IsClientId(string value) =>
        value.Length <= MaxClientIdLength && value.All(c => c is >= '\x20' and <= '\x7e');

    /// <summary>
    /// Token answers are never cached (RFC 6749 §5.1). A cluster that does not answer throws on to
    /// <see cref="ErrorBoundary"/>, whose 503 takes the OAuth shape with Retry-After.
    /// </summary>
    private static ValueTask<object?> NeverCached(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var response = context.HttpContext.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        return next(context);
    }
}
