using System.Net;

namespace ItemPathOrleans.Api.Observability;

/// <summary>Metrics, tracing and the API reference of an API node (section <c>Observability</c>).</summary>
public sealed class ObservabilityOptions
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

public sealed class MetricsSettings
{
    /// <summary><c>/metrics</c> (Prometheus text) and the meters behind it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Addresses or CIDR ranges besides loopback that may read <c>/metrics</c> (the client address,
    /// as lockouts see it). Empty: loopback only.
    /// </summary>
    public List<string> AllowedAddresses { get; set; } = [];
}

public sealed class TracingSettings
{
    /// <summary>
    /// A trace per request, carried into the silos by Orleans and into every log line's scope
    /// (<c>TraceId</c>, <c>SpanId</c>). Spans are recorded only with an OTLP endpoint.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Share of new traces recorded and exported (when a caller's trace is not sampled already).</summary>
    public double SampleRatio { get; set; } = 1.0;
}

/// <summary>Who may read <c>/metrics</c>: loopback and the configured addresses or ranges.</summary>
public static class MetricsAccess
{
    public static bool TryParse(string text, out IPNetwork network)
    {
        if (IPNetwork.TryParse(text, out network)) return true;
        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }

    public static bool IsAllowed(string? clientAddress, IReadOnlyList<IPNetwork> allowed)
    {
        if (clientAddress is null || !IPAddress.TryParse(clientAddress, out var address)) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        foreach (var network in allowed)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }
}
