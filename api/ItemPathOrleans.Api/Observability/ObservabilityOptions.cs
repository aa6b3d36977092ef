using System.Net;
using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.Operations;


namespace ItemPathOrleans.Api.Observability;

/// <summary>Metrics, tracing and the API reference of an API node (section <c>Observability</c>).</summary>
public sealed class ObservabilityOptions : IValidatedOptions
{
    public const string Section = "Observability";

    public MetricsSettings Metrics { get; set; } = new();
    public TracingSettings Tracing { get; set; } = new();

    /// <summary>
    /// OTLP collector (for example <c>http://127.0.0.1:4317</c>) that receives traces and metrics;
    /// none by default (metrics are then read at <c>/metrics</c>, and trace ids only reach the logs).
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>/openapi/v1.json</c> and the browsable reference at <c>/docs</c>.</summary>
    public bool ApiReference { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        foreach (var address in Metrics.AllowedAddresses)
        {
            if (!MetricsAccess.TryParse(address, out _))
                yield return $"Observability:Metrics:AllowedAddresses: '{address}' is neither an IP address nor a CIDR range";
        }
        if (Tracing.SampleRatio is < 0 or > 1 || double.IsNaN(Tracing.SampleRatio))
            yield return "Observability:Tracing:SampleRatio must be from 0 to 1";
        if (OtlpEndpoint is { Length: > 0 } otlp && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
            yield return "Observability:OtlpEndpoint must be an absolute URL";
    }
}
