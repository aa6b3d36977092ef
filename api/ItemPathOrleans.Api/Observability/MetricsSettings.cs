namespace ItemPathOrleans.Api.Observability;

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
