using System.Globalization;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Keys;
using ItemPathOrleans.Api.OpenId;
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
/// <see cref="SessionClient"/>) and the registered clients (<see cref="RegisteredClients"/>): the
/// token endpoint (password, refresh_token and client_credentials grants, RFC 6749, with client
/// authentication: <see cref="PresentedClient"/>),
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
            .WithSummary($"OAuth 2.0 token endpoint of {whose}: grant_type password, refresh_token or client_credentials")
            .Produces<OAuthTokenJson>()
            .ProducesOAuthErrors(StatusCodes.Status401Unauthorized);
        group.MapPost("/revoke", Revoke)
            .WithName("OAuthRevoke" + nameSuffix)
            .WithSummary($"OAuth 2.0 token revocation (RFC 7009) of {whose}: revokes the token's session (or a client's token); 200 for any token")
            .Produces(StatusCodes.Status200OK)
            .ProducesOAuthErrors(StatusCodes.Status401Unauthorized);
        group.MapPost("/introspect", Introspect)
            .WithName("OAuthIntrospect" + nameSuffix)
            .WithSummary($"OAuth 2.0 token introspection (RFC 7662) of {whose}; the caller is a confidential client or presents an application token as Bearer")
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

    private static async Task<IResult> Token(OAuthTokenForm form, HttpContext context, SessionClient sessions, RegisteredClients clients,
        PresentedTokens presented, OpenIdClient openId, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        if (form.GrantType is not (OAuthTokenForm.PasswordGrant or OAuthTokenForm.RefreshTokenGrant or OAuthTokenForm.ClientCredentialsGrant or OAuthTokenForm.AuthorizationCodeGrant))
            return new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthErrors.UnsupportedGrantType, "Supported grant types: authorization_code, password, refresh_token, client_credentials");
        var tenant = context.Tenant();
        var (client, refusal) = await AuthenticateClientAsync(context, form.Client, clients, tokens.Value, form.GrantType, form.Scope);
        if (refusal is not null) return refusal;
        if (client is { Access: { } access }) return TokenAnswer(access, null, time, client.Scope);
        if (form.GrantType == OAuthTokenForm.AuthorizationCodeGrant)
        {
            // A code is redeemed by the registered client it was issued to, authenticated (or by its id, for a public client).
            if (client is null) return OAuthErrors.InvalidClientAnswer(null);
            return await AuthorizationCodeGrantAsync(form, client.ClientId!, tenant.Id, openId, time);
        }
        if (client is null)
        {
            // Without a registered client: the first-party grants of the ItemPath front door.
            if (form.GrantType == OAuthTokenForm.ClientCredentialsGrant) return OAuthErrors.InvalidClientAnswer(null);
            if (form.GrantType == OAuthTokenForm.PasswordGrant && !tenant.Info.Settings.PasswordGrantWithoutClient)
                return new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthErrors.UnauthorizedClient, "The password grant needs a registered client in this tenant");
            if (!ScopeRequest.AllKnown(form.Scope, tenant.Info.Settings))
                return new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthErrors.InvalidScope, "Unknown scope");
        }
        // A registered client's session records its id; a first-party one the id it sent, if any.
        var recorded = form with { ClientId = client?.ClientId ?? form.ClientId };
        return form.GrantType == OAuthTokenForm.PasswordGrant
            ? await PasswordGrantAsync(recorded, context, sessions, time)
            : await RefreshTokenGrantAsync(recorded, context, sessions, presented, time, client?.ClientId);
    }

    /// <summary>RFC 6749 §4.1.3 with RFC 7636: every refusal is <c>invalid_grant</c>, and a replayed code revokes what it gave.</summary>
    private static async Task<IResult> AuthorizationCodeGrantAsync(OAuthTokenForm form, string clientId, string tenant, OpenIdClient openId, TimeProvider time)
    {
        var result = await openId.RedeemAsync(tenant, form.Code!, clientId, form.RedirectUri!, form.CodeVerifier!);
        if (result.Error != CodeError.None) return OAuthErrors.Grant(result.Error switch
        {
            CodeError.Mismatch => "The code was issued to another client or redirect URI",
            CodeError.WrongVerifier => "The code verifier does not match the code challenge",
            CodeError.UserInactive => "The user or the browser session is no longer active",
            _ => "The code is invalid, expired or already used",
        });
        return TokenAnswer(result.Access!, result.Refresh, time, result.Scope, result.IdToken?.Token);
    }

    /// <summary>
    /// The registered client a request authenticates as (null for none: nothing presented, or a
    /// bare client id that names no registered client), or the answer that refuses it.
    /// </summary>
    private static async Task<(ClientGrantResult? Client, IResult? Refusal)> AuthenticateClientAsync(
        HttpContext context, OAuthClientFields fields, RegisteredClients clients, TokensOptions tokens, string? grantType, string? scope)
    {
        var tenant = context.Tenant();
        var realm = tokens.IssuerFor(tenant.Id);
        var presented = PresentedClient.Read(context.Request, fields, realm);
        if (presented.Refusal is { } refused) return (null, refused);
        if (presented.Proof is not { } proof) return (null, null);
        var result = await clients.AuthenticateAsync(tenant.Id, proof, grantType, scope);
        return result.Error switch
        {
            ClientGrantError.None => (result, null),
            ClientGrantError.NotRegistered => (null, null),
            ClientGrantError.InvalidClient => (null, OAuthErrors.InvalidClientAnswer(presented.TriedBasic ? realm : null)),
            ClientGrantError.UnauthorizedClient => (null, new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthErrors.UnauthorizedClient, result.Description)),
            ClientGrantError.InvalidScope => (null, new OAuthErrorResult(StatusCodes.Status400BadRequest, OAuthErrors.InvalidScope, result.Description)),
            _ => (null, new OAuthErrorResult(StatusCodes.Status429TooManyRequests, OAuthErrors.TemporarilyUnavailable, "The client's rate limit is reached; retry later", result.RetryAfterSeconds)),
        };
    }

    private static async Task<IResult> PasswordGrantAsync(OAuthTokenForm form, HttpContext context, SessionClient sessions, TimeProvider time)
    {
        var result = await sessions.LoginAsync(context.Tenant(), ClientAddress.Of(context), form.Username!, form.Password!, form.ClientId, operation: "OAuthToken");
        if (result.Error == TokenError.LockedOut) return OAuthErrors.Grant(TooManyFailures, TimeSpan.FromSeconds(result.RetryAfterSeconds));
        if (result.Error != TokenError.None) return OAuthErrors.Grant(TokenErrors.Message(result.Error));
        return TokenAnswer(result.Access!, result.Refresh!, time);
    }

    private static async Task<IResult> RefreshTokenGrantAsync(OAuthTokenForm form, HttpContext context, SessionClient sessions, PresentedTokens presented, TimeProvider time,
        string? clientId)
    {
        var refresh = await presented.ValidateAsync(context, form.RefreshToken!, TokenClaims.RefreshType, SessionLookup.EndpointCall);
        if (refresh.Verdict.Unavailable is not null) return OAuthErrors.Unavailable();
        if (refresh.Identity is not { } identity) return OAuthErrors.Grant(refresh.Verdict.Refusal!);

        var result = await sessions.RefreshAsync(context.Tenant(), identity, operation: "OAuthToken", clientId: clientId);
        if (result.Error != TokenError.None) return OAuthErrors.Grant(TokenErrors.Message(result.Error));
        // With rotation off there is no new refresh token: the client keeps the one it has.
        return TokenAnswer(result.Access!, result.Refresh, time);
    }

    private static async Task<IResult> Revoke(OAuthTokenParameterForm form, HttpContext context, SessionClient sessions, RegisteredClients clients,
        PresentedTokens presented, IOptions<TokensOptions> tokens)
    {
        var (client, refusal) = await AuthenticateClientAsync(context, form.Client, clients, tokens.Value, grantType: null, scope: null);
        if (refusal is not null) return refusal;
        // RFC 7009 §2.2: a token that is invalid, expired or already revoked is answered 200 all the
        // same. A client revokes only what was issued to it (§2.1); the user grain says whose a session is.
        var subject = await presented.ValidateAsync(context, form.Token, expectedType: null, client is null ? SessionLookup.RevocationCache : SessionLookup.UserGrain);
        if (subject.Verdict.Unavailable is not null) return OAuthErrors.Unavailable();
        if (subject.Client is { } clientToken)
        {
            // A client's token is revoked by that client, authenticated, and no one else.
            if (client?.ClientId == clientToken.ClientId && !await clients.RevokeTokenAsync(clientToken)) return OAuthErrors.Unavailable();
        }
        else if (subject.Identity is { } identity && (client is null || subject.Verdict.Session?.ClientId == client.ClientId))
        {
            await sessions.RevokeAsync(identity, identity.SessionId, RevocationReasons.Logout);
        }
        return TypedResults.Ok();
    }

    private static async Task<IResult> Introspect(OAuthTokenParameterForm form, HttpContext context, RegisteredClients clients, PresentedTokens presented, IOptions<TokensOptions> tokens)
    {
        if (await IntrospectionCallerRefusalAsync(form, context, clients, tokens.Value) is { } refusal) return refusal;

        // The user grain (or the client grain), not the cache: a token revoked a moment ago is inactive now.
        var subject = await presented.ValidateAsync(context, form.Token, expectedType: null, SessionLookup.UserGrain);
        if (subject.Verdict.Unavailable is not null) return OAuthErrors.Unavailable();
        if (subject is { Token: { } clientJwt, Client: { } client })
        {
            return TypedResults.Ok(new OAuthIntrospectionJson(
                Active: true, Sub: client.ClientId, TokenType: "Bearer", Exp: client.ExpiresAt,
                Iat: clientJwt.GetPayloadValue<long>(TokenClaims.IssuedAt), Iss: clientJwt.Issuer, Tid: client.Tenant,
                ClientId: client.ClientId, Scope: string.Join(' ', client.Scopes)));
        }
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

    /// <summary>
    /// Who may introspect: a confidential registered client, authenticated with its method, or
    /// the bearer of an application token. Null when the caller is one of them.
    /// </summary>
    private static async Task<IResult?> IntrospectionCallerRefusalAsync(OAuthTokenParameterForm form, HttpContext context, RegisteredClients clients, TokensOptions tokens)
    {
        var presented = PresentedClient.Read(context.Request, form.Client, tokens.IssuerFor(context.Tenant().Id));
        if (presented.Refusal is { } refused) return refused;
        if (presented.Proof is { Method: not ClientVocabulary.None })
        {
            var (client, refusal) = await AuthenticateClientAsync(context, form.Client, clients, tokens, grantType: null, scope: null);
            return client is null ? refusal ?? OAuthErrors.InvalidClientAnswer(null) : null;
        }

        var caller = await context.AuthenticateAsync(TokenSchemes.Access);
        if (caller.Failure is Cluster.ClusterUnavailableException) return OAuthErrors.Unavailable();
        if (!caller.Succeeded) return caller.Failure is null
            ? OAuthErrors.Unauthorized("Missing Authorization Header", tokenPresented: false)
            : OAuthErrors.Unauthorized(TokenValidation.Describe(caller.Failure), tokenPresented: true);
        if (ClientTokenIdentity.IsClient(caller.Principal!) || TokenIdentity.From(caller.Principal!).SessionKind != SessionKinds.Application)
            return OAuthErrors.Unauthorized("Only application tokens may introspect", tokenPresented: true);
        return null;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<OAuthMetadataJson> Metadata(HttpContext context, IOptions<TokensOptions> tokens)
    {
        var tenant = context.Tenant();
        var issuer = tokens.Value.IssuerFor(tenant.Id);
        IReadOnlyList<string> confidential = [ClientVocabulary.SecretBasic, ClientVocabulary.SecretPost, ClientVocabulary.PrivateKeyJwt];
        return TypedResults.Ok(new OAuthMetadataJson(
            Issuer: issuer,
            AuthorizationEndpoint: issuer + "/oauth/authorize",
            TokenEndpoint: issuer + "/oauth/token",
            RevocationEndpoint: issuer + "/oauth/revoke",
            IntrospectionEndpoint: issuer + "/oauth/introspect",
            GrantTypesSupported: [OAuthTokenForm.AuthorizationCodeGrant, OAuthTokenForm.PasswordGrant, OAuthTokenForm.RefreshTokenGrant, OAuthTokenForm.ClientCredentialsGrant],
            TokenEndpointAuthMethodsSupported: ClientVocabulary.AuthMethods,
            TokenEndpointAuthSigningAlgValuesSupported: ClientVocabulary.AssertionAlgorithms,
            RevocationEndpointAuthMethodsSupported: ClientVocabulary.AuthMethods,
            RevocationEndpointAuthSigningAlgValuesSupported: ClientVocabulary.AssertionAlgorithms,
            // An application token as Bearer works too, which no registered method names.
            IntrospectionEndpointAuthMethodsSupported: confidential,
            IntrospectionEndpointAuthSigningAlgValuesSupported: ClientVocabulary.AssertionAlgorithms,
            ScopesSupported: tenant.Info.Settings.Scopes.Select(s => s.Name).ToList(),
            ResponseTypesSupported: ["code"],
            CodeChallengeMethodsSupported: [ClusterNode.OpenId.Pkce.S256],
            JwksUri: issuer + KeyEndpoints.JwksPath));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<OAuthTokenJson> TokenAnswer(IssuedToken access, IssuedToken? refresh, TimeProvider time, string? scope = null, string? idToken = null)
    {
        var expiresIn = (long)Math.Floor((access.ExpiresAt!.Value - time.GetUtcNow()).TotalSeconds);
        return TypedResults.Ok(new OAuthTokenJson(access.Token, "Bearer", Math.Max(0, expiresIn), refresh?.Token, scope, idToken));
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
