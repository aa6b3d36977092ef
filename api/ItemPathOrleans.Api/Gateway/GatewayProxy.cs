using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Transforms;

namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// Proxy mode on YARP: each configured route requires the access policy (access or application
/// token, revocation check), then goes to the upstream with the bearer's <c>X-Auth-*</c> headers
/// and the gateway's own forwarding headers (<see cref="GatewayHeaders"/>). Every incoming header
/// that an upstream could read as one of those is dropped first, so a client can neither speak for
/// someone else nor choose its address; the client's Authorization header goes on only when configured.
/// </summary>
public static class GatewayProxy
{
    private const string ClusterId = "gateway-upstream";
    private const string ScopesMetadata = "itempath:scopes";

    public static IServiceCollection AddGatewayProxy(this IServiceCollection services, IConfiguration configuration)
    {
        var routes = configuration.GetSection(GatewayOptions.Section).GetSection(nameof(GatewayOptions.Routes));
        services.AddValidatedOptions<GatewayOptions>(configuration, GatewayOptions.Section).PostConfigure(o => o.Routes = GatewayRoute.ReadAll(routes));
        var options = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        options.Routes = GatewayRoute.ReadAll(routes);
        if (!options.Enabled) return services;

        var routeConfigs = options.Routes.Select((route, i) => new RouteConfig
        {
            RouteId = $"gateway-{i}",
            ClusterId = ClusterId,
            Match = new RouteMatch { Path = route.Path },
            // A user's token or a client's; the route's scopes are checked in the proxy pipeline.
            AuthorizationPolicy = TokenSchemes.BearerPolicy,
            Metadata = new Dictionary<string, string> { [ScopesMetadata] = string.Join(' ', route.Scopes) },
        }).ToList();
        var cluster = new ClusterConfig
        {
            ClusterId = ClusterId,
            Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = options.Upstream! } },
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds) },
        };
        services.AddReverseProxy()
            .LoadFromMemory(routeConfigs, [cluster])
            .AddTransforms(context =>
            {
                // YARP's own X-Forwarded-* transforms know only the connection (not the trusted
                // proxies) and spare other spellings: the transform below sets them instead.
                context.UseDefaultForwarders = false;
                context.AddRequestTransform(transform =>
                {
                    var request = transform.ProxyRequest;
                    DropReservedHeaders(transform.HttpContext.Request.Headers, request);
                    if (!options.ForwardAuthorization) request.Headers.Authorization = null;
                    foreach (var (name, value) in GatewayIdentity.HeadersOf(transform.HttpContext.User)) request.Headers.TryAddWithoutValidation(name, value);
                    foreach (var (name, value) in GatewayHeaders.Forwarding(transform.HttpContext)) request.Headers.TryAddWithoutValidation(name, value);
                    return ValueTask.CompletedTask;
                });
            });
        return services;
    }

    /// <summary>
    /// Drops from the outgoing request every header the client sent under a name the gateway alone
    /// sets. YARP copied the client's headers onto the outgoing request and its content, so the
    /// names to drop are among the incoming request's: those are read (Kestrel's own collection,
    /// which enumerates without parsing) rather than the outgoing ones (HttpClient's collection
    /// materialises every value as it enumerates), and most requests carry none of them.
    /// </summary>
    internal static void DropReservedHeaders(IHeaderDictionary incoming, HttpRequestMessage request)
    {
        foreach (var header in incoming)
        {
            var name = header.Key;
            if (!GatewayHeaders.IsReserved(name)) continue;
            // Contains first: Remove throws on a name HttpClient does not accept, which YARP then
            // did not copy either.
            if (request.Headers.NonValidated.Contains(name)) request.Headers.Remove(name);
            if (request.Content is { } content && content.Headers.NonValidated.Contains(name)) content.Headers.Remove(name);
        }
    }

    public static WebApplication MapGatewayProxy(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Enabled) return app;
        // The upstream's own API, not this service's: left out of the OpenAPI document. Nor is it
        // under the API's request timeout (Orleans:ResponseTimeoutSeconds + 5 s, for the cluster's
        // own endpoints): an upstream answer may keep coming for longer (a download, a stream), and
        // the gateway's own timeout (Gateway:TimeoutSeconds) gives up on an upstream gone silent.
        // The token's session check is a grain call, bounded by Orleans' response timeout.
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(RequireScopes);
            proxy.Use(UpstreamFailures);
        }).ExcludeFromDescription().DisableRequestTimeout();
        return app;
    }

    /// <summary>Whether a request was routed to the gateway (its body limit is the gateway's).</summary>
    public static bool IsProxied(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not null;

    /// <summary>
    /// A route's scopes (RFC 6750 §3.1): a token that lacks one of them is refused with 403 and
    /// <c>WWW-Authenticate: Bearer error="insufficient_scope", scope="…"</c>. User tokens carry no
    /// scopes, so a route that requires some is for registered clients.
    /// </summary>
    private static Task RequireScopes(HttpContext context, Func<Task> next)
    {
        var required = context.GetReverseProxyFeature().Route.Config.Metadata?.GetValueOrDefault(ScopesMetadata);
        if (string.IsNullOrEmpty(required)) return next();
        var user = context.User;
        var held = ClientTokenIdentity.IsClient(user) ? ClientTokenIdentity.From(user).Scopes : [];
        if (required.Split(' ').All(held.Contains)) return next();
        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{required}\"";
        return new ProblemResult(StatusCodes.Status403Forbidden, "Insufficient scope").ExecuteAsync(context);
    }

    /// <summary>
    /// The upstream's own answers pass through untouched; a failure to reach it becomes a problem
    /// answer (502, 503 or 504 with Retry-After), never a 500 nor an empty body.
    /// </summary>
    private static async Task UpstreamFailures(HttpContext context, Func<Task> next)
    {
        var pages = context.Features.Get<IStatusCodePagesFeature>();
        if (pages is not null) pages.Enabled = false;
        await next();

        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return;
        switch (error.Error)
        {
            case ForwarderError.RequestTimedOut:
                await new ProblemResult(StatusCodes.Status504GatewayTimeout, "The upstream service did not answer in time", retryAfterSeconds: 2).ExecuteAsync(context);
                break;
            case ForwarderError.NoAvailableDestinations:
                await new ProblemResult(StatusCodes.Status503ServiceUnavailable, "No upstream service is available", retryAfterSeconds: 2).ExecuteAsync(context);
                break;
            case ForwarderError.RequestBodyClient:
                await Problems.BadRequest("The request body could not be read").ExecuteAsync(context);
                break;
            default:
                await new ProblemResult(StatusCodes.Status502BadGateway, "The upstream service is unavailable", retryAfterSeconds: 2).ExecuteAsync(context);
                break;
        }
    }
}
