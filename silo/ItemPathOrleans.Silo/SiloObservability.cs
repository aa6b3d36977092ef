using System.Net;
using ItemPathOrleans.ClusterNode.Diagnostics;
using ItemPathOrleans.Grains.Observability;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ItemPathOrleans.Silo;

/// <summary>The silo's metrics, tracing and dashboard settings (sections <c>Observability</c> and <c>Dashboard</c>).</summary>
public sealed class SiloObservabilityOptions
{
    public const string Section = "Observability";

    public SiloMetricsSettings Metrics { get; set; } = new();
    public SiloTracingSettings Tracing { get; set; } = new();

    /// <summary>OTLP collector receiving the silo's traces and metrics; none by default.</summary>
    public string? OtlpEndpoint { get; set; }
}

public sealed class SiloMetricsSettings
{
    /// <summary>Port of the silo's Prometheus endpoint (<c>http://Host:Port/metrics</c>); 0: none.</summary>
    public int Port { get; set; }

    /// <summary>Address that endpoint listens on: loopback unless configured.</summary>
    public string Host { get; set; } = "127.0.0.1";
}

public sealed class SiloTracingSettings
{
    public bool Enabled { get; set; } = true;
    public double SampleRatio { get; set; } = 1.0;
}

/// <summary>The Orleans dashboard: off unless enabled; served on loopback unless a host is configured.</summary>
public sealed class DashboardSettings
{
    public const string Section = "Dashboard";

    public bool Enabled { get; set; }
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 8080;

    /// <summary>The dashboard's live log stream: off unless asked for (it shows every log line to whoever can reach the page).</summary>
    public bool ShowLogs { get; set; }
}

public static class SiloObservability
{
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// What only the cluster knows (<see cref="SessionMetrics"/>) and Orleans' own meters (grain
    /// calls, activations, messaging), on the silo's own endpoint or to a collector; traces of the
    /// grain calls, continuing the API's traces.
    /// </summary>
    public static IServiceCollection AddItemPathSiloObservability(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(SiloObservabilityOptions.Section).Get<SiloObservabilityOptions>() ?? new SiloObservabilityOptions();
        if (options.Tracing.SampleRatio is < 0 or > 1 || double.IsNaN(options.Tracing.SampleRatio))
            throw new InvalidOperationException("Observability:Tracing:SampleRatio must be from 0 to 1");
        if (options.Metrics.Port is < 0 or > 65535) throw new InvalidOperationException("Observability:Metrics:Port must be from 0 to 65535");
        if (options.Metrics.Port > 0 && !IPAddress.TryParse(options.Metrics.Host, out _))
            throw new InvalidOperationException("Observability:Metrics:Host must be an IP address");
        var otlp = string.IsNullOrEmpty(options.OtlpEndpoint) ? null
            : Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) ? uri
            : throw new InvalidOperationException("Observability:OtlpEndpoint must be an absolute URL");

        // Every log line written inside a request's trace carries its ids in its scope.
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions |= ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("itempath-silo"));
        if (options.Metrics.Port > 0 || otlp is not null)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(SessionMetrics.MeterName, OrleansMeter);
                if (options.Metrics.Port > 0)
                {
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        o.Host = options.Metrics.Host;
                        o.Port = options.Metrics.Port;
                    });
                }
                if (otlp is not null) metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        }
        if (options.Tracing.Enabled)
        {
            services.AddHostedService<TracePropagation>();
            if (otlp is not null)
            {
                telemetry.WithTracing(tracing => tracing
                    .AddSource([.. TracePropagation.OrleansGrainCallSources])
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.Tracing.SampleRatio)))
                    .AddOtlpExporter(o => o.Endpoint = otlp));
            }
        }
        return services;
    }
}
