using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace ItemPathOrleans.Baselines;

/// <summary>
/// The proxy ceiling: a bare ASP.NET Core app that forwards one route to the upstream with YARP,
/// configured as the API's gateway configures it (api/ItemPathOrleans.Api/Gateway/GatewayProxy.cs):
/// the same route template, one cluster with one destination, YARP's own forwarder client (no
/// custom HttpMessageInvoker), the same activity timeout, YARP's X-Forwarded-* transforms off and
/// one request transform instead that drops the headers a client may not set, drops Authorization
/// and adds X-Real-IP, X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host from the connection.
/// What it leaves out is what the gateway adds on top: the token validation and the revocation
/// check (the route's authorization policy), the X-Auth-* identity headers, the route's scope
/// check and the upstream-failure answers in the proxy pipeline, tenant resolution and the API's
/// other middleware. Everything else answers 404.
/// </summary>
public static class ProxyServer
{
    public const string DefaultUrl = "http://127.0.0.1:5092";
    public const string DefaultRoute = "/api/stations/{**rest}";

    /// <summary>The gateway's default <c>Gateway:TimeoutSeconds</c>, its forwarder's activity timeout.</summary>
    private static readonly TimeSpan ActivityTimeout = TimeSpan.FromSeconds(30);

    // The folded names GatewayHeaders reserves (a copy: the Baselines do not reference the API).
    private static readonly string[] ReservedPrefixes = ["x-auth-", "x-forwarded-"];
    private static readonly string[] ReservedNames =
        ["x-real-ip", "forwarded", "x-client-ip", "true-client-ip", "x-cluster-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-original-forwarded-for"];

    public static async Task<int> RunAsync(string[] args)
    {
        var cli = new Cli(args, "upstream", "urls", "route");
        var upstreamText = cli.Get("upstream") ?? throw new UsageException("serve-proxy needs --upstream URL (e.g. serve-upstream's)");
        if (!Uri.TryCreate(upstreamText, UriKind.Absolute, out var upstream) || upstream.Scheme is not ("http" or "https"))
            throw new UsageException($"--upstream must be an absolute http(s) URL, not '{upstreamText}'");
        var route = cli.Get("route") ?? DefaultRoute;
        if (!route.StartsWith("/api/", StringComparison.Ordinal)) throw new UsageException($"--route must start with /api/, not '{route}'");
        var urls = cli.Get("urls") ?? DefaultUrl;

        // The API's host: WebApplication.CreateBuilder, Warning and above logged (as bench.sh runs its nodes).
        var builder = WebApplication.CreateBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [new RouteConfig { RouteId = "gateway-0", ClusterId = "gateway-upstream", Match = new RouteMatch { Path = route } }],
                [new ClusterConfig
                {
                    ClusterId = "gateway-upstream",
                    Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = upstreamText } },
                    HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = ActivityTimeout },
                }])
            .AddTransforms(context =>
            {
                context.UseDefaultForwarders = false;
                context.AddRequestTransform(transform =>
                {
                    var request = transform.ProxyRequest;
                    foreach (var name in request.Headers.Select(h => h.Key).Where(IsReserved).ToList()) request.Headers.Remove(name);
                    if (request.Content is { } content)
                    {
                        foreach (var name in content.Headers.Select(h => h.Key).Where(IsReserved).ToList()) content.Headers.Remove(name);
                    }
                    request.Headers.Authorization = null;
                    var http = transform.HttpContext;
                    if (http.Connection.RemoteIpAddress is { } address)
                    {
                        var text = address.ToString();
                        request.Headers.TryAddWithoutValidation("X-Real-IP", text);
                        request.Headers.TryAddWithoutValidation("X-Forwarded-For", text);
                    }
                    request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", http.Request.Scheme);
                    if (http.Request.Host.HasValue) request.Headers.TryAddWithoutValidation("X-Forwarded-Host", http.Request.Host.Value);
                    return ValueTask.CompletedTask;
                });
            });

        var app = builder.Build();
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" }));
        app.MapGet("/health/ready", () => TypedResults.Ok(new { status = "ready" }));
        // An empty proxy pipeline, as the gateway's minus its two steps (scopes, upstream failures).
        app.MapReverseProxy(_ => { });

        await app.StartAsync();
        Console.Error.WriteLine($"serve-proxy: {route} forwarded to {upstream}; listening on {string.Join(" ", app.Urls)}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static bool IsReserved(string name)
    {
        foreach (var prefix in ReservedPrefixes)
            if (FoldsOnto(name, prefix, wholeName: false)) return true;
        foreach (var reserved in ReservedNames)
            if (FoldsOnto(name, reserved, wholeName: true)) return true;
        return false;
    }

    private static bool FoldsOnto(string name, string folded, bool wholeName)
    {
        if (wholeName ? name.Length != folded.Length : name.Length < folded.Length) return false;
        for (var i = 0; i < folded.Length; i++)
        {
            var c = name[i];
            if ((char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-') != folded[i]) return false;
        }
        return true;
    }
}
