using ItemPathOrleans.Api.Hosting;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace ItemPathOrleans.Api.Cors;

public static class BrowserCors
{
    /// <summary>Headers a browser may send: the token, JSON bodies, the tenant.</summary>
    private static readonly string[] RequestHeaders = ["Authorization", "Content-Type", "X-Tenant"];

    /// <summary>Headers a browser script may read: the challenge, the wait after a 429 or 503, the bearer's identity.</summary>
    private static readonly string[] ExposedHeaders =
    [
        "WWW-Authenticate", "Retry-After",
        Gateway.GatewayIdentity.TenantHeader, Gateway.GatewayIdentity.UserIdHeader, Gateway.GatewayIdentity.UsernameHeader,
        Gateway.GatewayIdentity.TypeHeader, Gateway.GatewayIdentity.IsAdminHeader, Gateway.GatewayIdentity.SessionIdHeader,
    ];

    public static IServiceCollection AddBrowserCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<BrowserCorsOptions>(configuration, BrowserCorsOptions.Section);
        var options = configuration.GetSection(BrowserCorsOptions.Section).Get<BrowserCorsOptions>() ?? new BrowserCorsOptions();
        if (options.AllowedOrigins.Count == 0) return services;
        services.AddCors(cors => cors.AddDefaultPolicy(new CorsPolicyBuilder()
            .WithOrigins([.. options.AllowedOrigins])
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete)
            .WithHeaders(RequestHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromSeconds(options.PreflightMaxAgeSeconds))
            // Bearer tokens, no cookies: credentials mode stays off.
            .Build()));
        return services;
    }

    /// <summary>
    /// Early in the pipeline, so preflights are answered before tenant resolution and
    /// authentication, and error answers (401, 404, 503) carry the headers too.
    /// </summary>
    public static WebApplication UseBrowserCors(this WebApplication app)
    {
        var options = app.Configuration.GetSection(BrowserCorsOptions.Section).Get<BrowserCorsOptions>() ?? new BrowserCorsOptions();
        if (options.AllowedOrigins.Count > 0) app.UseCors();
        return app;
    }
}
