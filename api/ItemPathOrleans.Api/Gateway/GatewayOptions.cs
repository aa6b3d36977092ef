using ItemPathOrleans.Api.Hosting;



namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// Proxy mode: requests on <see cref="Routes"/> are forwarded to <see cref="Upstream"/> once their
/// token is validated like on any protected endpoint. Off by default.
/// </summary>
public sealed class GatewayOptions : IValidatedOptions
{
    public const string Section = "Gateway";

    /// <summary>Paths the cluster itself serves: a gateway route may not shadow them.</summary>
    private static readonly string[] OwnPrefixes = ["/api/users", "/api/tenants", "/api/clients", "/api/auth"];

    public bool Enabled { get; set; }

    /// <summary>Base URL of the service behind the gateway (http or https); the request path is appended as is.</summary>
    public string? Upstream { get; set; }

    /// <summary>
    /// Routes under <c>/api/</c>: a path template (<c>/api/stations/{**rest}</c>), or an object
    /// with the path and the scopes a token needs there (<see cref="GatewayRoute"/>).
    /// </summary>
    public List<GatewayRoute> Routes { get; set; } = [];

    /// <summary>Whether the upstream also receives the client's own Authorization header.</summary>
    public bool ForwardAuthorization { get; set; }

    /// <summary>An upstream that sends nothing for this long is given up on (504).</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Largest request body forwarded (413 above it). Kestrel's own limit (1 MiB) is the ceiling.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(Upstream, UriKind.Absolute, out var upstream) || upstream.Scheme is not ("http" or "https"))
            yield return "Gateway:Upstream must be an absolute http or https URL when the gateway is enabled.";
        if (Routes.Count == 0) yield return "Gateway:Routes must name at least one route when the gateway is enabled.";
        foreach (var (route, scopes) in Routes.Select(r => (r.Path, r.Scopes)))
        {
            if (scopes.Any(scope => !Contracts.Model.ApiScopeRules.IsName(scope)))
                yield return $"Gateway:Routes '{route}': scopes must match ^[A-Za-z0-9:._/-]{{1,64}}$.";
            if (string.IsNullOrWhiteSpace(route) || !route.StartsWith("/api/", StringComparison.Ordinal))
                yield return $"Gateway:Routes '{route}' must start with /api/ (its tenant is resolved like every /api request).";
            else if (OwnPrefixes.Any(p => route.Equals(p, StringComparison.OrdinalIgnoreCase) || route.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase) || route.StartsWith(p + "{", StringComparison.OrdinalIgnoreCase)))
                yield return $"Gateway:Routes '{route}' would shadow the cluster's own endpoints.";
        }
        if (TimeoutSeconds is < 1 or > 600) yield return "Gateway:TimeoutSeconds must be between 1 and 600.";
        if (MaxRequestBodyBytes is < 0 or > 1024 * 1024) yield return "Gateway:MaxRequestBodyBytes must be between 0 and 1048576 (Kestrel's limit).";
    }
}
