using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>
/// Single sign-on with Microsoft Entra ID: a front end signs the person in with MSAL, sends the
/// ID token here, and gets the same answer as a password login (a session of kind <c>sso</c>).
/// </summary>
public static partial class SsoApi
{
    /// <summary>What a front end asks MSAL for: an ID token is all this service needs.</summary>
    public static readonly IReadOnlyList<string> Scopes = ["openid", "profile", "email"];

    public const int MaxNonceLength = 1024;

    public static IEndpointRouteBuilder MapSsoApi(this IEndpointRouteBuilder app)
    {
        var sso = app.MapGroup("/api/users/sso").AllowAnonymous();
        sso.MapGet("", Describe)
            .WithName("GetSsoConfiguration")
            .WithSummary("How a front end starts MSAL for this tenant: authority, client id and scopes")
            .Produces<SsoConfigurationJson>();
        sso.MapPost("/login", Login)
            .RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("SsoLogin")
            .WithSummary("Signs in with a Microsoft Entra ID token from MSAL; answers like a password login")
            .Accepts<SsoLoginRequest>("application/json")
            .Produces<LoginJson>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static IResult Describe(HttpContext context, IOptions<SsoOptions> options)
    {
        var sso = context.Tenant().Info.Settings.Sso;
        return sso is not null && options.Value.Allows(new Uri(sso.Authority))
            ? TypedResults.Ok(new SsoConfigurationJson(true, MsalAuthority(sso.Authority), sso.ClientId, Scopes))
            : TypedResults.Ok(new SsoConfigurationJson(false, null, null, []));
    }

    /// <summary>
    /// MSAL names an Entra authority without the <c>/v2.0</c> that its OpenID metadata address
    /// carries (<c>https://login.microsoftonline.com/organizations</c>); the setting holds the latter.
    /// </summary>
    public static string MsalAuthority(string authority) =>
        authority.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase) ? authority[..^"/v2.0".Length] : authority;

    private static async Task<IResult> Login(
        HttpContext context, IGrainFactory grains, FailedLoginLimiter failedLogins, IdTokenValidator validator,
        IOptions<SsoOptions> options, ILoggerFactory loggers)
    {
        var address = ClientAddress.Of(context);
        if (failedLogins.Refusal(address) is { } wait) return Problems.TooManyLogins(wait);
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        string? error = null;
        var fields = new JsonFields(body!.Value);
        var idToken = fields.String("idToken", ref error, required: true);
        var nonce = fields.String("nonce", ref error);
        if (error is not null) return Problems.BadRequest(error);
        var maxLength = options.Value.MaxIdTokenLength;
        if (idToken!.Length is 0 || idToken.Length > maxLength) return Problems.BadRequest($"idToken must be 1 to {maxLength} characters");
        if (nonce is { Length: 0 or > MaxNonceLength }) return Problems.BadRequest($"nonce must be 1 to {MaxNonceLength} characters");

        var tenant = context.Tenant();
        var sso = tenant.Info.Settings.Sso;
        if (sso is null) return Problems.BadRequest("Single sign-on is not configured");
        // The configuration may have narrowed the allowed hosts since the setting was stored.
        if (!options.Value.Allows(new Uri(sso.Authority))) return Problems.BadRequest("Single sign-on is not configured: its authority is not on an allowed host");

        var events = loggers.CreateLogger(SecurityEventsCategory);
        IdTokenCheck check;
        try
        {
            check = await validator.ValidateAsync(idToken, sso, nonce, context.RequestAborted);
        }
        catch (MetadataUnavailableException unavailable)
        {
            return new ProblemResult(StatusCodes.Status503ServiceUnavailable,
                "The identity provider's metadata or signing keys cannot be fetched; retry later", loginFailure: true,
                retryAfterSeconds: unavailable.RetryAfterSeconds);
        }
        if (check.Identity is not { } identity)
        {
            failedLogins.Failed(address);
            LogRefused(events, "sso_login_refused", tenant.Id, check.Refusal!);
            return Refused(check.Refusal!);
        }

        // Retried only when a silo refused to forward it: the same request id, so not a replay of itself.
        var result = await ClusterRetry.RunAsync(() => grains.GetGrain<ISsoLoginGrain>(0).Login(tenant.Id, identity, check.Use!, tenant.Info.Version, address));
        switch (result.Error)
        {
            case SsoLoginError.None:
                break;
            case SsoLoginError.NotConfigured:
                return Problems.BadRequest("Single sign-on is not configured");
            case SsoLoginError.UserInactive:
                failedLogins.Failed(address);
                return Refused("User is not active");
            case SsoLoginError.Replayed:
                failedLogins.Failed(address);
                return Refused("ID token has already been used");
            case SsoLoginError.TooManySignIns:
                failedLogins.Failed(address);
                return Refused("Too many sign-ins of this account with ID tokens that have not expired; retry later");
            default:
                failedLogins.Failed(address);
                return Refused("Unknown user: no user of this tenant is linked to this account");
        }

        var login = result.Login!;
        var user = login.User!;
        return TypedResults.Ok(new LoginJson(true, login.Access!.Token, login.Refresh!.Token,
            ApiJson.ItemPathDate(login.Access.ExpiresAt!.Value), ApiJson.ItemPathDate(login.Refresh.ExpiresAt!.Value),
            user.Id, user.Username, user.IsAdmin, user.Type));
    }

    private static ProblemResult Refused(string why) => new(StatusCodes.Status401Unauthorized, why, loginFailure: true);

    /// <summary>Refusals before any user is known are logged with the other security events (never the token).</summary>
    private const string SecurityEventsCategory = "ItemPathOrleans.Grains.Security.SecurityEvents";

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Security event {EventName} for user {UserId} of tenant {Tenant}: {Detail}")]
    private static partial void LogEvent(ILogger logger, string eventName, string tenant, int? userId, string? detail);

    private static void LogRefused(ILogger logger, string name, string tenant, string detail) => LogEvent(logger, name, tenant, null, detail);
}

/// <summary>The body of <c>POST /api/users/sso/login</c>: the ID token from MSAL, and the nonce it was requested with, if any.</summary>
public sealed record SsoLoginRequest(string IdToken, string? Nonce = null);

/// <summary>How a front end starts MSAL: <c>{"enabled", "authority", "clientId", "scopes"}</c>.</summary>
public sealed record SsoConfigurationJson(bool Enabled, string? Authority, string? ClientId, IReadOnlyList<string> Scopes);
