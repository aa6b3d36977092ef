using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// A single sign-on from start to end: the client address's failed-login budget, the ID token's
/// validation against the tenant's <c>sso</c> setting, the SSO login grain (retried only when a
/// silo refused to forward it: the same request id, so not a replay of itself; a cluster that
/// does not answer is a 503, <see cref="ClusterCalls"/>), and every refusal logged with the
/// security events and spent from the budget.
/// </summary>
public sealed partial class SsoClient(
    IGrainFactory grains, FailedLoginLimiter failedLogins, IdTokenValidator validator, IOptions<SsoOptions> options, ILoggerFactory loggers)
{
    /// <summary>Refusals before any user is known are logged with the other security events (never the token).</summary>
    private const string SecurityEventsCategory = "ItemPathOrleans.Grains.Security.SecurityEvents";

    private readonly ILogger _events = loggers.CreateLogger(SecurityEventsCategory);

    /// <summary>The tenant's sso setting when this server may use it (the configuration may have narrowed the allowed hosts since it was stored).</summary>
    public SsoSettings? Usable(RequestTenant tenant) =>
        tenant.Info.Settings.Sso is { } sso && options.Value.Allows(new Uri(sso.Authority)) ? sso : null;

    public Task<SsoLoginOutcome> LoginAsync(RequestTenant tenant, string clientAddress, SsoLoginRequest request, CancellationToken cancellationToken) =>
        LoginAsync(tenant, clientAddress, request.IdToken!, request.Nonce, SessionKinds.Sso, clientId: null, cancellationToken);

    /// <summary>
    /// A sign-in with an ID token: <see cref="SessionKinds.Sso"/> for <c>POST /api/users/sso/login</c>,
    /// <see cref="SessionKinds.Web"/> for the sign-in page's "Sign in with Microsoft" (which always
    /// sends the <paramref name="nonce"/> it asked Entra for, and the client it signs in for).
    /// </summary>
    public async Task<SsoLoginOutcome> LoginAsync(RequestTenant tenant, string clientAddress, string idToken, string? nonce, string kind, string? clientId,
        CancellationToken cancellationToken)
    {
        if (failedLogins.Refusal(clientAddress) is { } wait) return SsoLoginOutcome.Refused(SsoRefusal.Throttled, "", wait);
        var maxLength = options.Value.MaxIdTokenLength;
        if (idToken.Length is 0 || idToken.Length > maxLength) return SsoLoginOutcome.Refused(SsoRefusal.BadRequest, $"idToken must be 1 to {maxLength} characters");
        var sso = tenant.Info.Settings.Sso;
        if (sso is null) return SsoLoginOutcome.Refused(SsoRefusal.BadRequest, "Single sign-on is not configured");
        if (!options.Value.Allows(new Uri(sso.Authority)))
            return SsoLoginOutcome.Refused(SsoRefusal.BadRequest, "Single sign-on is not configured: its authority is not on an allowed host");

        IdTokenCheck check;
        try
        {
            check = await validator.ValidateAsync(idToken, sso, nonce, cancellationToken);
        }
        catch (MetadataUnavailableException unavailable)
        {
            return SsoLoginOutcome.Refused(SsoRefusal.ProviderUnavailable,
                "The identity provider's metadata or signing keys cannot be fetched; retry later", TimeSpan.FromSeconds(unavailable.RetryAfterSeconds));
        }
        if (check.Identity is not { } identity)
        {
            failedLogins.Failed(clientAddress);
            LogEvent(_events, "sso_login_refused", tenant.Id, null, check.Refusal!);
            return SsoLoginOutcome.Refused(SsoRefusal.Refused, check.Refusal!);
        }

        var result = await ClusterCalls.RepeatableAsync(() => grains.SsoLogin().Login(tenant.Id, identity, check.Use!, clientAddress, clientId, kind));
        if (result.Error == SsoLoginError.None) return new SsoLoginOutcome(result.Login, SsoRefusal.None);
        if (result.Error == SsoLoginError.NotConfigured) return SsoLoginOutcome.Refused(SsoRefusal.BadRequest, "Single sign-on is not configured");
        failedLogins.Failed(clientAddress);
        return SsoLoginOutcome.Refused(SsoRefusal.Refused, result.Error switch
        {
            SsoLoginError.UserInactive => "User is not active",
            SsoLoginError.Replayed => "ID token has already been used",
            SsoLoginError.TooManySignIns => "Too many sign-ins of this account with ID tokens that have not expired; retry later",
            _ => "Unknown user: no user of this tenant is linked to this account",
        });
    }

    /// <summary>
    /// A single sign-on refused before any ID token was looked at (the sign-in page's flow: Entra
    /// answered an error, or would not redeem the code): a security event in the log, and, when
    /// <paramref name="counts"/>, one failed login of the address.
    /// </summary>
    public void Refused(RequestTenant tenant, string clientAddress, string detail, bool counts)
    {
        if (counts) failedLogins.Failed(clientAddress);
        LogEvent(_events, "sso_login_refused", tenant.Id, null, detail);
    }

    /// <summary>Null when the address may try a sign-in; else how long it waits.</summary>
    public TimeSpan? Throttled(string clientAddress) => failedLogins.Refusal(clientAddress);

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Security event {EventName} for user {UserId} of tenant {Tenant}: {Detail}")]
    private static partial void LogEvent(ILogger logger, string eventName, string tenant, int? userId, string? detail);
}
