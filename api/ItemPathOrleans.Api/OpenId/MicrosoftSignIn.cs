using System.Buffers.Text;
using System.Security.Cryptography;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Diagnostics;
using ItemPathOrleans.ClusterNode.OpenId;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// "Sign in with Microsoft" on the hosted sign-in page: this service is a confidential client of
/// the tenant's Entra application and runs the authorization code flow with PKCE (S256) and a
/// nonce against the tenant's authority, server-side. The start sends the browser to the
/// metadata's <c>authorization_endpoint</c> (<c>response_mode=query</c>, so the SameSite=Lax state
/// cookie comes back with the callback); the callback redeems the code at the
/// <c>token_endpoint</c> and hands the ID token to <see cref="SsoClient"/>: the same validation and
/// mapping as <c>POST /api/users/sso/login</c>, with the nonce required, opening a browser session
/// (kind <c>web</c>) instead of an <c>sso</c> one.
/// </summary>
public sealed partial class MicrosoftSignIn(
    SsoClient sso,
    OpenIdMetadataCache metadata,
    EntraTokenClient tokenEndpoint,
    MasterKeySeal seal,
    IOptions<TokensOptions> tokens,
    TimeProvider time,
    ILogger<MicrosoftSignIn> logger)
{
    /// <summary>What the service asks Entra for: an ID token is all it needs.</summary>
    public const string Scope = "openid profile email";

    /// <summary>The callback under the tenant's issuer: the redirect URI to register in Entra (platform "Web").</summary>
    public string CallbackUri(string tenant) => tokens.Value.IssuerFor(tenant) + "/login/microsoft/callback";

    /// <summary>
    /// The tenant's Entra application when the button can work: <c>sso</c> on a host this server
    /// allows, and a client secret that opens with the configured master keys. Null: no button.
    /// </summary>
    public (SsoSettings Settings, string ClientSecret)? Application(RequestTenant tenant)
    {
        if (sso.Usable(tenant) is not { SealedClientSecret: { } sealedSecret } settings) return null;
        if (seal.OpenString(SsoSettingsInput.ClientSecretPurpose, tenant.Id, sealedSecret, SsoSettingsRules.MaxSealedClientSecretLength) is { } secret)
            return (settings, secret);
        LogSecretUnreadable(logger, LogText.Escape(tenant.Id));
        return null;
    }

    /// <summary>The origin the start redirects to (the authority's), which the sign-in page's CSP must allow; null: no button.</summary>
    public string? ButtonTarget(RequestTenant tenant) =>
        Application(tenant) is { } application && Uri.TryCreate(application.Settings.Authority, UriKind.Absolute, out var authority)
            ? authority.GetLeftPart(UriPartial.Authority)
            : null;

    /// <summary>The start: where to send the browser, with the pending sign-in in its cookie.</summary>
    public async Task<MicrosoftStart> StartAsync(HttpContext context, RequestTenant tenant, AuthorizationRequest request)
    {
        if (Application(tenant) is not ({ } settings, _)) return MicrosoftStart.NotAvailable;
        string authorizationEndpoint;
        try
        {
            var configuration = await metadata.GetAsync(settings.Authority, context.RequestAborted);
            authorizationEndpoint = configuration.AuthorizationEndpoint;
        }
        catch (MetadataUnavailableException unavailable)
        {
            return new MicrosoftStart(null, MicrosoftStartError.ProviderUnavailable, unavailable.RetryAfterSeconds);
        }
        // The page's CSP allows the authority's origin as the target of its form's redirect: the
        // endpoint must be there (it is, at Entra), and never anywhere else.
        if (!Uri.TryCreate(authorizationEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Query.Length > 0
            || endpoint.GetLeftPart(UriPartial.Authority) != new Uri(settings.Authority).GetLeftPart(UriPartial.Authority))
        {
            LogEndpointElsewhere(logger, LogText.Escape(tenant.Id));
            return MicrosoftStart.NotAvailable;
        }

        var verifier = Random();
        var pending = new PendingMicrosoftSignIn(Random(), verifier, Random(), (time.GetUtcNow() + PendingMicrosoftSignIn.Lifetime).ToUnixTimeSeconds(),
            request.Parameters().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        if (!pending.TryWrite(context, tenant.Id, seal)) return new MicrosoftStart(null, MicrosoftStartError.TooLong, 0);

        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = settings.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = CallbackUri(tenant.Id),
            ["response_mode"] = "query",
            ["scope"] = Scope,
            ["state"] = pending.State,
            ["nonce"] = pending.Nonce,
            ["code_challenge"] = Pkce.Challenge(verifier),
            ["code_challenge_method"] = Pkce.S256,
        };
        // A client that asks for a fresh sign-in (prompt=login, max_age) gets one at Entra too,
        // not Entra's single sign-on of an hour ago.
        if (request.Prompts.Contains(AuthorizationRequest.PromptLogin) || request.MaxAge is not null) parameters["prompt"] = "login";
        if (request.LoginHint is { } hint) parameters["login_hint"] = hint;
        return new MicrosoftStart(QueryHelpers.AddQueryString(authorizationEndpoint, parameters), MicrosoftStartError.None, 0);
    }

    /// <summary>
    /// The callback of a <paramref name="pending"/> sign-in whose state matched: Entra's error, or
    /// the code redeemed and its ID token signed in as <c>POST /api/users/sso/login</c> would.
    /// </summary>
    public async Task<SsoLoginOutcome> CompleteAsync(HttpContext context, RequestTenant tenant, PendingMicrosoftSignIn pending, string? code, string? error,
        string? clientId)
    {
        var clientAddress = ClientAddress.Of(context);
        if (sso.Throttled(clientAddress) is { } wait) return SsoLoginOutcome.Refused(SsoRefusal.Throttled, "", wait);
        if (error is not null)
        {
            // Entra's words stay out of the page; its error code (a short word) goes to the log.
            sso.Refused(tenant, clientAddress, $"Entra answered {LogText.Escape(error.Length <= 64 ? error : error[..64])}", counts: false);
            return SsoLoginOutcome.Refused(SsoRefusal.Refused, "Microsoft did not sign you in.");
        }
        if (code is null) return SsoLoginOutcome.Refused(SsoRefusal.Refused, "Microsoft did not answer a code.");
        if (Application(tenant) is not ({ } settings, { } secret)) return SsoLoginOutcome.Refused(SsoRefusal.BadRequest, "Single sign-on is not configured");

        string tokenEndpointUri;
        try
        {
            tokenEndpointUri = (await metadata.GetAsync(settings.Authority, context.RequestAborted)).TokenEndpoint;
        }
        catch (MetadataUnavailableException unavailable)
        {
            return SsoLoginOutcome.Refused(SsoRefusal.ProviderUnavailable, "", TimeSpan.FromSeconds(unavailable.RetryAfterSeconds));
        }
        var redemption = await tokenEndpoint.RedeemAsync(tenant.Id, tokenEndpointUri, settings.ClientId, secret, code, CallbackUri(tenant.Id), pending.Verifier,
            Scope, context.RequestAborted);
        if (redemption.Unavailable) return SsoLoginOutcome.Refused(SsoRefusal.ProviderUnavailable, "", OpenIdMetadataCache.FailureBackoff);
        if (redemption.IdToken is not { } idToken)
        {
            sso.Refused(tenant, clientAddress, $"Entra's token endpoint answered {redemption.Error}", counts: true);
            return SsoLoginOutcome.Refused(SsoRefusal.Refused, "Microsoft did not redeem the code.");
        }
        return await sso.LoginAsync(tenant, clientAddress, idToken, pending.Nonce, SessionKinds.Web, clientId, context.RequestAborted);
    }

    private static string Random() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sso client secret of tenant {Tenant} does not open with the configured master keys (the key it was sealed under was removed): set it again")]
    private static partial void LogSecretUnreadable(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The authorization endpoint that the OpenID metadata of tenant {Tenant}'s authority names is not on the authority's origin")]
    private static partial void LogEndpointElsewhere(ILogger logger, string tenant);
}
