using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Keys;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sessions;
using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.OpenId;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// Each tenant as an OpenID Provider, under its issuer <c>{Tokens:Issuer}/{tenant}</c>: the
/// authorization endpoint (code flow, S256 PKCE for every client, exact redirect URIs), the hosted
/// sign-in page, consent for third-party clients, and sign-out (RP-Initiated Logout). The code is
/// redeemed at the token endpoint (<c>OAuthEndpoints</c>). A request is checked in full at every
/// step (<see cref="AuthorizationCheck"/>), so the forms carry nothing the server trusts.
/// </summary>
public static partial class OpenIdEndpoints
{
    /// <summary>How long a code may wait for its redemption.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);

    /// <summary>The provider's services; its pages' own (<c>AddSignInPages</c>) are registered beside.</summary>
    public static IServiceCollection AddOpenIdProvider(this IServiceCollection services) =>
        services.AddSingleton<OpenIdClient>().AddSingleton<MicrosoftSignIn>();

    public static IEndpointRouteBuilder MapOpenIdEndpoints(this IEndpointRouteBuilder app)
    {
        var issuer = app.MapGroup("/{tenant}").WithMetadata(new TenantScoped("tenant")).AllowAnonymous().WithTags("OpenID Provider")
            .DisableAntiforgery();
        issuer.MapMethods("/oauth/authorize", [HttpMethods.Get, HttpMethods.Post], Authorize)
            .WithName("Authorize").WithSummary("OpenID Connect authorization endpoint: response_type=code with S256 PKCE; answers a redirect or a page")
            .ExcludeFromDescription();
        issuer.MapGet("/login", SignInForm)
            .WithName("SignInPage").WithSummary("The tenant's hosted sign-in page for an authorization request").ExcludeFromDescription();
        issuer.MapPost("/login", SignIn).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("SignIn").WithSummary("The sign-in form's post: the login of /api/users/login, then the authorization goes on").ExcludeFromDescription();
        issuer.MapPost("/login/microsoft", StartMicrosoftSignIn).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithRequestTimeout(SsoEndpoints.AuthorityTimeoutPolicy)
            .WithName("MicrosoftSignIn").WithSummary("\"Sign in with Microsoft\": sends the browser to the tenant's Entra authority").ExcludeFromDescription();
        issuer.MapGet("/login/microsoft/callback", MicrosoftCallback).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithRequestTimeout(SsoEndpoints.AuthorityTimeoutPolicy)
            .WithName("MicrosoftSignInCallback").WithSummary("Entra's answer to \"Sign in with Microsoft\": the code redeemed, the user signed in, the authorization goes on")
            .ExcludeFromDescription();
        issuer.MapPost("/consent", Consent)
            .WithName("Consent").WithSummary("The consent form's post").ExcludeFromDescription();
        issuer.MapMethods("/oauth/logout", [HttpMethods.Get, HttpMethods.Post], Logout)
            .WithName("EndSession").WithSummary("RP-Initiated Logout: ends the browser session, then redirects to a registered post-logout URI")
            .ExcludeFromDescription();
        issuer.MapGet(DiscoveryPath, Discovery)
            .WithName("OpenIdConfiguration").WithSummary("OpenID Connect Discovery: the tenant's provider metadata")
            .Produces<OpenIdConfigurationJson>();

        // Not anonymous: the caller's access token must carry openid.
        app.MapMethods("/{tenant}/oauth/userinfo", [HttpMethods.Get, HttpMethods.Post], UserInfo)
            .WithMetadata(new TenantScoped("tenant")).RequireAuthorization(TokenSchemes.AccessPolicy).DisableAntiforgery().WithTags("OpenID Provider")
            .WithName("UserInfo").WithSummary("OpenID Connect userinfo: the profile claims the access token's scopes release")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        return app;
    }

    public const string DiscoveryPath = "/.well-known/openid-configuration";

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<OpenIdConfigurationJson> Discovery(HttpContext context, IOptions<TokensOptions> tokens)
    {
        var tenant = context.Tenant();
        var issuer = tokens.Value.IssuerFor(tenant.Id);
        return TypedResults.Ok(new OpenIdConfigurationJson(
            Issuer: issuer,
            AuthorizationEndpoint: issuer + "/oauth/authorize",
            TokenEndpoint: issuer + "/oauth/token",
            UserinfoEndpoint: issuer + "/oauth/userinfo",
            JwksUri: issuer + KeyEndpoints.JwksPath,
            EndSessionEndpoint: issuer + "/oauth/logout",
            RevocationEndpoint: issuer + "/oauth/revoke",
            IntrospectionEndpoint: issuer + "/oauth/introspect",
            ResponseTypesSupported: ["code"],
            ResponseModesSupported: ["query", "form_post"],
            GrantTypesSupported: [ClientVocabulary.AuthorizationCode, ClientVocabulary.RefreshToken, ClientVocabulary.ClientCredentials, ClientVocabulary.Password],
            SubjectTypesSupported: ["public"],
            IdTokenSigningAlgValuesSupported: [SigningAlgorithms.RS256, SigningAlgorithms.ES256],
            CodeChallengeMethodsSupported: [Pkce.S256],
            ScopesSupported: [.. ApiScopeRules.Standard, .. tenant.Info.Settings.Scopes.Select(s => s.Name)],
            ClaimsSupported: OidcProfileClaims.ClaimsSupported,
            PromptValuesSupported: [AuthorizationRequest.PromptNone, AuthorizationRequest.PromptLogin, "consent"],
            TokenEndpointAuthMethodsSupported: ClientVocabulary.AuthMethods,
            TokenEndpointAuthSigningAlgValuesSupported: ClientVocabulary.AssertionAlgorithms,
            AuthorizationResponseIssParameterSupported: true));
    }

    private static async Task<IResult> UserInfo(HttpContext context, OpenIdClient openId)
    {
        OpenIdPages.NoStore(context.Response);
        var scopes = context.User.FindFirst(TokenClaims.Scope)?.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (!scopes.Contains("openid"))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\", scope=\"openid\"";
            return Problems.Forbidden("The access token does not carry the openid scope");
        }
        var token = TokenIdentity.From(context.User);
        if ((CheckedSession.ProfileOf(context) ?? await openId.ProfileAsync(token.Tenant, token.UserId)) is not { } profile) return Problems.InvalidToken("User is not active");
        var claims = new Dictionary<string, object> { [TokenClaims.Subject] = profile.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (name, value) in OidcProfileClaims.ToDictionary(profile, scopes)) claims[name] = value;
        return TypedResults.Ok(claims);
    }

    /// <summary>
    /// RP-Initiated Logout 1.0: with a valid <c>id_token_hint</c> of the signed-in user the browser
    /// session ends at once; without one the user confirms on a page first. A
    /// <c>post_logout_redirect_uri</c> must be one its client registered, or nothing redirects.
    /// </summary>
    private static async Task<IResult> Logout(HttpContext context, OpenIdClient openId, FormProtection forms, RsaSigningKeys keys, IOptions<TokensOptions> tokens, TenantCache tenants)
    {
        FormFields? fields;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            fields = FormFields.Parse(context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "");
        }
        else
        {
            var (form, problem) = await ReadFormAsync(context);
            if (form is null) return problem!;
            fields = form;
        }
        var tenant = context.Tenant();
        string? error = null;
        var hintText = fields.Get("id_token_hint", ref error);
        var clientIdParameter = fields.Get("client_id", ref error);
        var redirect = fields.Get("post_logout_redirect_uri", ref error);
        var state = fields.Get("state", ref error);
        var csrf = fields.Get(FormProtection.FieldName, ref error);
        if (error is not null || state is { Length: > AuthorizationRequest.MaxLength }) return OpenIdPages.Error(context, tenant.Info.Name, error ?? "Parameter 'state' is too long");

        var hint = await IdTokenHint.ValidateAsync(hintText, tenant.Info, tokens.Value.IssuerFor(tenant.Id), keys, () => tenants.ReloadAsync(tenant.Id));
        if (hint is not null && clientIdParameter is not null && clientIdParameter != hint.ClientId)
            return OpenIdPages.Error(context, tenant.Info.Name, "The id_token_hint was issued to another client.");
        var client = await openId.ClientAsync(tenant.Id, hint?.ClientId ?? clientIdParameter);
        if (redirect is not null && (client is null || !client.PostLogoutRedirectUris.Contains(redirect, StringComparer.Ordinal)))
            return OpenIdPages.Error(context, tenant.Info.Name, "The post-logout redirect URI is not one the client registered.");

        var session = await openId.BrowserSessionAsync(context.Request, tenant.Id);
        var confirmed = HttpMethods.IsPost(context.Request.Method) && forms.Verify(context, OpenIdPages.LogoutPurpose(tenant.Id), csrf);
        if (session is not null && hint?.UserId != session.UserId && !confirmed)
        {
            List<KeyValuePair<string, string>> carried = [];
            if (client is not null) carried.Add(new("client_id", client.ClientId));
            if (redirect is not null) carried.Add(new("post_logout_redirect_uri", redirect));
            if (state is not null) carried.Add(new("state", state));
            return OpenIdPages.Logout(context, tenant, carried, client?.Name, redirect, forms);
        }

        if (session is not null) await openId.EndBrowserSessionAsync(tenant.Id, session);
        BrowserSessionCookie.Delete(context, tenant.Id);
        if (redirect is null) return OpenIdPages.SignedOut(context, tenant);
        OpenIdPages.NoStore(context.Response);
        return TypedResults.Redirect(state is null ? redirect : QueryHelpers.AddQueryString(redirect, "state", state));
    }

    private static async Task<IResult> Authorize(HttpContext context, OpenIdClient openId, FormProtection forms, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        var (request, problem) = await ReadAsync(context);
        if (request is null) return problem!;
        var (check, refused) = await CheckAsync(context, request, openId, tokens.Value);
        return refused ?? await ContinueAsync(context, request, check, signedIn: null, consented: false, openId, forms, time, tokens.Value);
    }

    private static async Task<IResult> SignInForm(HttpContext context, OpenIdClient openId, FormProtection forms, IOptions<TokensOptions> tokens)
    {
        var (request, problem) = await ReadAsync(context);
        if (request is null) return problem!;
        var (_, refused) = await CheckAsync(context, request, openId, tokens.Value);
        return refused ?? OpenIdPages.SignIn(context, context.Tenant(), request, forms);
    }

    private static async Task<IResult> SignIn(HttpContext context, SessionClient sessions, OpenIdClient openId, FormProtection forms, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        var (fields, request, check, refused) = await ReadCheckedFormAsync(context, openId, tokens.Value);
        if (refused is not null) return refused;
        var tenant = context.Tenant();

        string? error = null;
        var username = fields.Get("username", ref error);
        var password = fields.Get("password", ref error);
        if (!forms.Verify(context, OpenIdPages.SignInPurpose(tenant.Id), fields.Get(FormProtection.FieldName, ref error)))
            return OpenIdPages.SignIn(context, tenant, request, forms, username, "The form expired. Please sign in again.", StatusCodes.Status400BadRequest);
        // Malformed credentials fail like wrong ones: one message for every failure.
        if (error is not null || username is null || password is null || CredentialRules.Problem(username, password) is not null)
            return OpenIdPages.SignIn(context, tenant, request, forms, username, FailedMessage, StatusCodes.Status401Unauthorized);

        var login = await sessions.LoginAsync(tenant, ClientAddress.Of(context), username, password, request.ClientId, operation: "SignIn", kind: SessionKinds.Web);
        if (login.Error == TokenError.LockedOut)
        {
            context.Response.Headers.RetryAfter = login.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return OpenIdPages.SignIn(context, tenant, request, forms, username,
                $"Too many failed sign-in attempts. Try again in {login.RetryAfterSeconds} seconds.", StatusCodes.Status429TooManyRequests);
        }
        if (login.Error != TokenError.None) return OpenIdPages.SignIn(context, tenant, request, forms, username, FailedMessage, StatusCodes.Status401Unauthorized);

        var session = await OpenBrowserSessionAsync(context, login, openId);
        return await ContinueAsync(context, request.SignedIn(), check, session, consented: false, openId, forms, time, tokens.Value);
    }

    /// <summary>The browser session a sign-in (password or Microsoft) just opened: its cookie set, the browser's previous one ended or moved.</summary>
    private static async Task<BrowserSession> OpenBrowserSessionAsync(HttpContext context, LoginResult login, OpenIdClient openId)
    {
        var tenant = context.Tenant();
        var previous = await openId.BrowserSessionAsync(context.Request, tenant.Id);
        var session = BrowserSessionCookie.Write(context, tenant.Id, login);
        // Someone else signed in on this browser before: they are signed out of it. The same user
        // signing in again (prompt=login, max_age) keeps the apps opened through it, now under the
        // new browser session, so that one sign-out still ends them all.
        if (previous is not null && previous.UserId != session.UserId) await openId.EndBrowserSessionAsync(tenant.Id, previous);
        else if (previous is not null) await openId.MoveBrowserSessionAsync(tenant.Id, previous, session);
        return session;
    }

    private static async Task<IResult> Consent(HttpContext context, OpenIdClient openId, FormProtection forms, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        var (fields, request, check, refused) = await ReadCheckedFormAsync(context, openId, tokens.Value);
        if (refused is not null) return refused;
        var tenant = context.Tenant();

        string? error = null;
        var decision = fields.Get("decision", ref error);
        if (!forms.Verify(context, OpenIdPages.ConsentPurpose(tenant.Id), fields.Get(FormProtection.FieldName, ref error)))
            return OpenIdPages.Error(context, tenant.Info.Name, "The form expired. Go back to the application and sign in again.");
        var issuer = tokens.Value.IssuerFor(tenant.Id);
        if (decision != "allow") return AuthorizationResponse.Error(context, request, issuer, "access_denied", "The user did not consent");
        var session = await openId.BrowserSessionAsync(context.Request, tenant.Id);
        if (session is null) return await ContinueAsync(context, request, check, null, consented: false, openId, forms, time, tokens.Value);
        await openId.GrantConsentAsync(tenant.Id, session.UserId, check.Client!.ClientId, check.GrantedScope!);
        return await ContinueAsync(context, request, check, session, consented: true, openId, forms, time, tokens.Value);
    }

    private const string FailedMessage = "The username or password is incorrect.";

    /// <summary>
    /// The authorization from a request that passed its <paramref name="check"/> on: sign in when there is no browser session (or
    /// the client asks for a fresh one), consent when a third-party client needs it, then a code.
    /// <paramref name="signedIn"/> is the session a sign-in just opened (it answers <c>prompt=login</c>
    /// and <c>max_age</c>).
    /// </summary>
    private static async Task<IResult> ContinueAsync(HttpContext context, AuthorizationRequest request, AuthorizationCheck check, BrowserSession? signedIn,
        bool consented, OpenIdClient openId, FormProtection forms, TimeProvider time, TokensOptions tokens)
    {
        var tenant = context.Tenant();
        var issuer = tokens.IssuerFor(tenant.Id);
        var client = check.Client!;
        var prompts = request.Prompts;
        var now = time.GetUtcNow();

        var session = signedIn ?? await openId.BrowserSessionAsync(context.Request, tenant.Id);
        var fresh = signedIn is not null;
        if (session is null || (!fresh && (prompts.Contains(AuthorizationRequest.PromptLogin)
                                           || (request.MaxAgeSeconds is { } maxAge && now - session.AuthTime > TimeSpan.FromSeconds(maxAge)))))
        {
            if (prompts.Contains(AuthorizationRequest.PromptNone)) return AuthorizationResponse.Error(context, request, issuer, "login_required", "The user is not signed in");
            OpenIdPages.NoStore(context.Response);
            return TypedResults.Redirect(OpenIdPages.Path(context, tenant.Id, "login") + QueryString.Create(request.Parameters()!));
        }

        var scope = check.GrantedScope!;
        if (client.RequireConsent && !consented && (prompts.Contains("consent") || !await openId.HasConsentAsync(tenant.Id, session.UserId, client.ClientId, scope)))
        {
            if (prompts.Contains(AuthorizationRequest.PromptNone)) return AuthorizationResponse.Error(context, request, issuer, "consent_required", "The user has not consented");
            return OpenIdPages.Consent(context, tenant, request.SignedIn(), client, scope, forms);
        }

        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var code = await openId.IssueCodeAsync(tenant.Id, new CodeGrant(
            session.UserId, session.SessionId, session.AuthTime, client.ClientId, request.RedirectUri!, request.CodeChallenge!, request.Nonce, scope,
            PublicClient: client.Type == ClientVocabulary.Public,
            IssueRefreshToken: scopes.Contains("offline_access") && client.GrantTypes.Contains(ClientVocabulary.RefreshToken),
            ExpiresAt: now + CodeLifetime));
        return AuthorizationResponse.Code(context, request, issuer, code);
    }

    /// <summary>The request checked against its client's registration (one client grain call), or the answer that refuses it.</summary>
    private static async Task<(AuthorizationCheck Check, IResult? Refusal)> CheckAsync(HttpContext context, AuthorizationRequest request, OpenIdClient openId, TokensOptions tokens)
    {
        var tenant = context.Tenant();
        var check = AuthorizationCheck.Of(request, await openId.ClientAsync(tenant.Id, request.ClientId), tenant.Info.Settings);
        return (check, Refusal(context, request, check, tokens));
    }

    /// <summary>A form post of the pages (sign-in, consent): its fields, the authorization request they carry, checked.</summary>
    private static async Task<(FormFields Fields, AuthorizationRequest Request, AuthorizationCheck Check, IResult? Refusal)> ReadCheckedFormAsync(
        HttpContext context, OpenIdClient openId, TokensOptions tokens)
    {
        var (fields, problem) = await ReadFormAsync(context);
        if (fields is null) return (null!, null!, null!, problem);
        var (request, unreadable) = Read(context, fields);
        if (request is null) return (fields, null!, null!, unreadable);
        var (check, refused) = await CheckAsync(context, request, openId, tokens);
        return (fields, request, check, refused);
    }

    /// <summary>A request that cannot go on: an error page when its client or redirect URI is not to be trusted, else an error to the client.</summary>
    private static IResult? Refusal(HttpContext context, AuthorizationRequest request, AuthorizationCheck check, TokensOptions tokens)
    {
        if (check.PageError is { } message) return OpenIdPages.Error(context, context.Tenant().Info.Name, message);
        if (check.Error is { } error) return AuthorizationResponse.Error(context, request, tokens.IssuerFor(context.Tenant().Id), error, check.ErrorDescription);
        return null;
    }

    /// <summary>The request of a GET (the query) or a POST (the form).</summary>
    private static async Task<(AuthorizationRequest? Request, IResult? Problem)> ReadAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method))
            return Read(context, FormFields.Parse(context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : ""));
        var (fields, problem) = await ReadFormAsync(context);
        return fields is null ? (null, problem) : Read(context, fields);
    }

    private static (AuthorizationRequest? Request, IResult? Problem) Read(HttpContext context, FormFields fields)
    {
        var (request, problem) = AuthorizationRequest.Read(fields);
        return request is null ? (null, OpenIdPages.Error(context, context.Tenant().Info.Name, problem!)) : (request, null);
    }

    private static async Task<(FormFields? Fields, IResult? Problem)> ReadFormAsync(HttpContext context)
    {
        var (fields, invalid, tooLarge) = await FormBody.ReadAsync(context.Request);
        if (tooLarge is not null) return (null, tooLarge);
        return fields is null ? (null, OpenIdPages.Error(context, context.Tenant().Info.Name, invalid!)) : (fields, null);
    }
}
