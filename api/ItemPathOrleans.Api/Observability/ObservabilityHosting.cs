using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.ClusterNode.Diagnostics;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTelemetry;
using Scalar.AspNetCore;

namespace ItemPathOrleans.Api.Observability;

/// <summary>
/// Metrics (<c>/metrics</c>), tracing across the API and the silos, trace ids in log scopes, and
/// the API reference (<c>/openapi/v1.json</c>, <c>/docs</c>): one call on the builder, one on the app.
/// </summary>
public static class ObservabilityHosting
{
    /// <summary>Orleans' own meter (grain calls, messaging) on the client side.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    public const string MetricsPath = "/metrics";

    public static IHostApplicationBuilder AddItemPathObservability(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ObservabilityOptions.Section);
        var options = section.Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        builder.Services.AddOptions<ObservabilityOptions>().Bind(section)
            .Validate(o => !o.Validate().Any(), "Observability options are invalid (see docs/configuration.md: Observability:Metrics:AllowedAddresses, Observability:Tracing:SampleRatio, Observability:OtlpEndpoint).")
            .ValidateOnStart();
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
                    // http.server.request.duration by route template, method and status: the latency per endpoint.
                    .AddAspNetCoreInstrumentation()
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

    private static bool IsContentTypePolicy(ServiceDescriptor d) => d.ServiceType == typeof(MatcherPolicy)
        && d.ImplementationType?.FullName == "Microsoft.AspNetCore.Routing.Matching.AcceptsMatcherPolicy";

    public static WebApplication MapItemPathObservability(this WebApplication app)
    {
        // A registration after AddItemPathObservability that adds routing again (AddRouting is
        // idempotent, so it re-adds what was removed) would bring back the 415s: say so at start.
        if (app.Services.GetServices<MatcherPolicy>().Any(p => p.GetType().FullName == "Microsoft.AspNetCore.Routing.Matching.AcceptsMatcherPolicy"))
            throw new InvalidOperationException("Routing's content-type check is registered again: call AddItemPathObservability after every other service registration.");
        var options = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        if (options.ApiReference)
        {
            app.MapOpenApi("/openapi/{documentName}.json");
            app.MapScalarApiReference("/docs", scalar =>
            {
                scalar.WithTitle(ApiReference.Title).WithOpenApiRoutePattern("/openapi/{documentName}.json");
                // Everything from this server: no fonts from a CDN, no telemetry, no AI chat or
                // developer toolbar calling out to a third party.
                scalar.DefaultFonts = false;
                scalar.Telemetry = false;
                scalar.ShowDeveloperTools = DeveloperToolsVisibility.Never;
                scalar.Agent = new ScalarAgentOptions { Disabled = true };
                scalar.Mcp = new ScalarMcpOptions { Disabled = true };
                // Every operation listed in the sidebar from the start.
                scalar.DefaultOpenAllTags = true;
            });
        }
        if (options.Metrics.Enabled)
        {
            var allowed = options.Metrics.AllowedAddresses.Select(a => MetricsAccess.TryParse(a, out var n) ? n : default).ToList();
            app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use((context, next) =>
                MetricsAccess.IsAllowed(ClientAddress.Of(context), allowed)
                    ? next(context)
                    : ProblemResult.WriteAsync(context, StatusCodes.Status403Forbidden, "Metrics are not served to this address")), optionsName: null);
        }
        return app;
    }
}
