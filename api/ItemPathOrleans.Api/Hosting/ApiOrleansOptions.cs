namespace ItemPathOrleans.Api.Hosting;

/// <summary>How the API node reaches the cluster (section <c>Orleans</c>).</summary>
public sealed class ApiOrleansOptions : IValidatedOptions
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "itempath";
    public string ServiceId { get; set; } = "itempath";

    /// <summary>The silo gateway to use when no PostgreSQL connection string is configured (development).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>How long a grain call may take before the request answers 503.</summary>
    public int ResponseTimeoutSeconds { get; set; } = 10;

    /// <summary>False when the host supplies its own cluster client (in-process tests).</summary>
    public bool ConnectClient { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId)) yield return "Orleans:ClusterId must not be empty";
        if (string.IsNullOrWhiteSpace(ServiceId)) yield return "Orleans:ServiceId must not be empty";
        if (GatewayPort is < 1 or > 65_535) yield return "Orleans:GatewayPort must be between 1 and 65535";
        if (ResponseTimeoutSeconds is < 1 or > 600) yield return "Orleans:ResponseTimeoutSeconds must be between 1 and 600";
    }
}
