namespace ItemPathOrleans.Api.Observability;

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
