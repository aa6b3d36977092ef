using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sessions;
using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// Each tenant as an OpenID Provider, under its issuer <c>{Tokens:Issuer}/{tenant}</c>: the
/// authorization endpoint (code flow, S256 PKCE for every client, exact redirect URIs), the hosted
/// sign-in page, consent for third-party clients, and sign-out (RP-Initiated Logout). The code is
/// redeemed at the token endpoint (<c>OAuthEndpoints</c>). A request is checked in full at every
/// step (<see cref="AuthorizationCheck"/>), so the forms carry nothing the server trusts.
/// </summary>
public static class OpenIdEndpoints
{
    /// <summary>How long a code may wait for its redemption.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);

    /// <summary>The provider's services; its pages' own (<c>AddSignInPages</c>) are registered beside.</summary>
    public static IServiceCollection AddOpenIdProvider(this IServiceCollection services) => services.AddSingleton<OpenIdClient>();

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
        issuer.MapPost("/consent", Consent)
            .WithName("Consent").WithSummary("The consent form's post").ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Authorize(HttpContext context, OpenIdClient openId, FormProtection forms, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        var (request, problem) = await ReadAsync(context);
        if (request is null) return problem!;
        return await ContinueAsync(context, request, signedIn: null, consented: false, openId, forms, time, tokens.Value);
    }

    private static async Task<IResult> SignInForm(HttpContext context, OpenIdClient openId, FormProtection forms, IOptions<TokensOptions> tokens)
    {
        var (request, problem) = await ReadAsync(context);
        if (request is null) return problem!;
        var tenant = context.Tenant();
        var check = AuthorizationCheck.Of(request, await openId.ClientAsync(tenant.Id, request.ClientId), tenant.Info.Settings);
        if (Refusal(context, request, check, tokens.Value) is { } refused) return refused;
        return OpenIdPages.SignIn(context, tenant, request, forms);
    }

    private static async Task<IResult> SignIn(HttpContext context, SessionClient sessions, OpenIdClient openId, FormProtection forms, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        var (fields, problem) = await ReadFormAsync(context);
        if (fields is null) return problem!;
        var (request, unreadable) = Read(context, fields);
        if (request is null) return unreadable!;
        var tenant = context.Tenant();
        var check = AuthorizationCheck.Of(request, await openId.ClientAsync(tenant.Id, request.ClientId), tenant.Info.Settings);
        if (Refusal(context, request, check, tokens.Value) is { } refused) return refused;

        string? error = null;
        var username = fields.Get("username", ref error);
        var password = fields.Get("password", ref error);
        if (!forms.Verify(context, OpenIdPages.SignInPurpose, fields.Get(FormProtection.FieldName, ref error)))
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

        var previous = await openId.BrowserSessionAsync(context.Request, tenant.Id);
        var session = BrowserSessionCookie.Write(context, tenant.Id, login);
        // Whoever was signed in on this browser before is signed out of it.
        if (previous is not null) await openId.EndBrowserSessionAsync(tenant.Id, previous);
        return await ContinueAsync(context, request.SignedIn(), session, consented: false, openId, forms, time, tokens.Value);
    }

    private static async Task<IResult> Consent(HttpContext context, OpenIdClient openId, FormProtection forms, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        var (fields, problem) = await ReadFormAsync(context);
        if (fields is null) return problem!;
        var (request, unreadable) = Read(context, fields);
        if (request is null) return unreadable!;
        var tenant = context.Tenant();
        var check = AuthorizationCheck.Of(request, await openId.ClientAsync(tenant.Id, request.ClientId), tenant.Info.Settings);
        if (Refusal(context, request, check, tokens.Value) is { } refused) return refused;

        string? error = null;
        var decision = fields.Get("decision", ref error);
        if (!forms.Verify(context, OpenIdPages.ConsentPurpose, fields.Get(FormProtection.FieldName, ref error)))
            return OpenIdPages.Error(context, tenant.Info.Name, "The form expired. Go back to the application and sign in again.");
        var issuer = tokens.Value.IssuerFor(tenant.Id);
        if (decision != "allow") return AuthorizationResponse.Error(context, request, issuer, "access_denied", "The user did not consent");
        var session = await openId.BrowserSessionAsync(context.Request, tenant.Id);
        if (session is null) return await ContinueAsync(context, request, null, consented: false, openId, forms, time, tokens.Value);
        await openId.GrantConsentAsync(tenant.Id, session.UserId, check.Client!.ClientId, check.GrantedScope!);
        return await ContinueAsync(context, request, session, consented: true, openId, forms, time, tokens.Value);
    }

    private const string FailedMessage = "The username or password is incorrect.";

    /// <summary>
    /// The authorization from a checked request on: sign in when there is no browser session (or
    /// the client asks for a fresh one), consent when a third-party client needs it, then a code.
    /// <paramref name="signedIn"/> is the session a sign-in just opened (it answers <c>prompt=login</c>
    /// and <c>max_age</c>).
    /// </summary>
    private static async Task<IResult> ContinueAsync(HttpContext context, AuthorizationRequest request, BrowserSession? signedIn, bool consented,
        OpenIdClient openId, FormProtection forms, TimeProvider time, TokensOptions tokens)
    {
        var tenant = context.Tenant();
        var issuer = tokens.IssuerFor(tenant.Id);
        var check = AuthorizationCheck.Of(request, await openId.ClientAsync(tenant.Id, request.ClientId), tenant.Info.Settings);
        if (Refusal(context, request, check, tokens) is { } refused) return refused;
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
