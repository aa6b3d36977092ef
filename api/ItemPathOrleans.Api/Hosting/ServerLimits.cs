using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ItemPathOrleans.Api.Hosting;

/// <summary>Kestrel's limits and the request timeout: slow or oversized clients are cut off before the application's own limits apply.</summary>
public static class ServerLimits
{
    public static WebApplicationBuilder AddServerLimits(this WebApplicationBuilder builder, ApiOrleansOptions orleans)
    {
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Above the contract's limits, so the application answers those in the contract's shape.
            k.Limits.MaxRequestBodySize = 1024 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Limits.MaxRequestHeaderCount = 100;
            // Slow clients: headers within 10 s, bodies at 240 bytes/s at least, idle connections closed.
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(5));
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            k.AddServerHeader = false;
        });
        builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = TimeoutPolicy(RequestTimeout(orleans)));
        return builder;
    }

    /// <summary>How long a request may take by default: a grain call's limit and 5 s for the rest.</summary>
    public static TimeSpan RequestTimeout(ApiOrleansOptions orleans) => TimeSpan.FromSeconds(orleans.ResponseTimeoutSeconds + 5);

    /// <summary>A request timeout that answers 503 (a problem body from the status-code pages).</summary>
    public static RequestTimeoutPolicy TimeoutPolicy(TimeSpan timeout) =>
        new() { Timeout = timeout, TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable };
}
