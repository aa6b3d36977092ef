using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.Sessions;
using ItemPathOrleans.Api.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// Single sign-on with Microsoft Entra ID: a front end signs the person in with MSAL, sends the
/// ID token here, and gets the same answer as a password login (a session of kind <c>sso</c>).
/// </summary>
public static class SsoEndpoints
{
    /// <summary>What a front end asks MSAL for: an ID token is all this service needs.</summary>
    public static readonly IReadOnlyList<string> Scopes = ["openid", "profile", "email"];

    /// <summary>
    /// The request timeout of the endpoints that call a tenant's Entra authority: the default one,
    /// plus <see cref="SsoOptions.FetchTimeoutSeconds"/> for each call one request may make. Under
    /// the default alone, a slow authority would meet the request's deadline before its own.
    /// </summary>
    public const string AuthorityTimeoutPolicy = "entra-authority";

    /// <summary>
    /// The most calls to an authority one request makes: its metadata and key set, its token
    /// endpoint (the hosted page's callback), and the metadata and keys again for an unknown key.
    /// </summary>
    public const int MostAuthorityCallsPerRequest = 5;

    public static IServiceCollection AddSingleSignOn(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SsoOptions>(configuration, SsoOptions.Section);
        services.AddSingleton<OpenIdMetadataCache>();
        services.AddSingleton<IdTokenValidator>();
        services.AddSingleton<SsoClient>();
        services.AddSingleton<EntraTokenClient>();
        services.AddSingleton<MasterKeySeal>();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<SsoOptions>, IOptions<ApiOrleansOptions>>((timeouts, sso, orleans) =>
            timeouts.AddPolicy(AuthorityTimeoutPolicy, ServerLimits.TimeoutPolicy(
                ServerLimits.RequestTimeout(orleans.Value) + MostAuthorityCallsPerRequest * TimeSpan.FromSeconds(sso.Value.FetchTimeoutSeconds))));
        return services;
    }

    public static IEndpointRouteBuilder MapSsoEndpoints(this IEndpointRouteBuilder app)
    {
        var sso = app.MapGroup("/api/users/sso").AllowAnonymous();
        sso.MapGet("", Describe)
            .WithName("GetSsoConfiguration")
            .WithSummary("How a front end starts MSAL for this tenant: authority, client id and scopes");
        sso.MapPost("/login", Login)
            .RequireRateLimiting(AuthRateLimiting.Policy)
            .WithRequestTimeout(AuthorityTimeoutPolicy)
            .WithName("SsoLogin")
            .WithSummary("Signs in with a Microsoft Entra ID token from MSAL; answers like a password login")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static Ok<SsoConfigurationJson> Describe(HttpContext context, SsoClient client) =>
        client.Usable(context.Tenant()) is { } sso
            ? TypedResults.Ok(new SsoConfigurationJson(true, MsalAuthority(sso.Authority), sso.ClientId, Scopes))
            : TypedResults.Ok(new SsoConfigurationJson(false, null, null, []));

    /// <summary>
    /// MSAL names an Entra authority without the <c>/v2.0</c> that its OpenID metadata address
    /// carries (<c>https://login.microsoftonline.com/organizations</c>); the setting holds the latter.
    /// </summary>
    public static string MsalAuthority(string authority) =>
        authority.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase) ? authority[..^"/v2.0".Length] : authority;

    private static async Task<Results<Ok<LoginJson>, ProblemResult>> Login(SsoLoginRequest request, HttpContext context, SsoClient client)
    {
        var outcome = await client.LoginAsync(context.Tenant(), ClientAddress.Of(context), request, context.RequestAborted);
        return outcome.Refusal switch
        {
            SsoRefusal.None => TypedResults.Ok(LoginJson.From(outcome.Login!)),
            SsoRefusal.Throttled => Problems.TooManyLogins(outcome.RetryAfter),
            SsoRefusal.BadRequest => Problems.BadRequest(outcome.Detail!),
            SsoRefusal.ProviderUnavailable => new ProblemResult(StatusCodes.Status503ServiceUnavailable, outcome.Detail!, loginFailure: true,
                retryAfterSeconds: (int)outcome.RetryAfter.TotalSeconds),
            _ => new ProblemResult(StatusCodes.Status401Unauthorized, outcome.Detail!, loginFailure: true),
        };
    }
}
