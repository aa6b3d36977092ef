using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.Operations;
using ItemPathOrleans.ClusterNode.Diagnostics;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTelemetry;

namespace ItemPathOrleans.Api.Observability;

/// <summary>
/// The services behind metrics, tracing across the API and the silos, trace ids in log scopes,
/// and the API reference; what they serve (<c>/metrics</c>, <c>/openapi/v1.json</c>, <c>/docs</c>)
/// is mapped by the Operations feature.
/// </summary>
public static class ObservabilityHosting
{
    /// <summary>Orleans' own meter (grain calls, messaging) on the client side.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The ASP.NET Core meters served: <c>http.server.request.duration</c> (latency per route,
    /// method and status) and <c>http.server.active_requests</c>; Kestrel's connection counts and
    /// durations (recorded per connection, not per request); unhandled and handled exceptions.
    /// </summary>
    public static readonly string[] AspNetCoreMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics"];

    public static IHostApplicationBuilder AddItemPathObservability(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ObservabilityOptions.Section);
        var options = section.Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        builder.Services.AddValidatedOptions<ObservabilityOptions>(builder.Configuration, ObservabilityOptions.Section);
        builder.Services.AddSingleton<AuthMetrics>();
        builder.Services.AddOpenApi(o =>
        {
            ApiReference.Configure(o);
            if (options.Metrics.Enabled) ApiReference.DescribeMetrics(o);
        });
        // .Accepts<T>("application/json") documents a body; it must not change what is accepted.
        // Routing would answer 415 to any other (or no) Content-Type, but the endpoints read their
        // bodies themselves, whatever the header says, and answer the contract's 400 or 413.
        foreach (var policy in builder.Services.Where(IsContentTypePolicy).ToList()) builder.Services.Remove(policy);

        // Every log line written inside a request carries its trace and span ids in its scope.
        builder.Services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions |= ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // An endpoint that is not a URL is reported by the options validation at start.
        var otlp = Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var endpoint) ? endpoint : null;
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("itempath-api"));
        if (options.Metrics.Enabled)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(AuthMetrics.MeterName, OrleansMeter)
                    // ASP.NET Core's meters by name rather than AddAspNetCoreInstrumentation(), which
                    // turns on a dozen of them, several recording on every request (routing match
                    // attempts, an authentication duration histogram, authorization attempts, every
                    // buffer Kestrel's memory pool hands out): about a quarter of a cached /api/users/me's
                    // CPU. What operators read (docs/operations.md) is in these three.
                    .AddMeter(AspNetCoreMeters)
                    .AddPrometheusExporter();
                if (otlp is not null) metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        }
        if (options.Tracing.Enabled)
        {
            builder.Services.AddHostedService<TracePropagation>();
            if (otlp is not null)
            {
                telemetry.WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(MetricsPath))
                    .AddSource([.. TracePropagation.OrleansGrainCallSources])
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.Tracing.SampleRatio)))
                    .AddOtlpExporter(o => o.Endpoint = otlp));
            }
        }
        return builder;
    }

    internal static bool IsContentTypePolicy(ServiceDescriptor d) => d.ServiceType == typeof(MatcherPolicy)
        && d.ImplementationType?.FullName == "Microsoft.AspNetCore.Routing.Matching.AcceptsMatcherPolicy";
}
