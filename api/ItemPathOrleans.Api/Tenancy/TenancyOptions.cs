using System.Net;
using ItemPathOrleans.Api.Hosting;


namespace ItemPathOrleans.Api.Tenancy;

/// <summary>How requests find their tenant (section <c>Tenancy</c>).</summary>
public sealed class TenancyOptions : IValidatedOptions
{
    public const string Section = "Tenancy";

    /// <summary>
    /// When set (<c>auth.example.com</c>), the Host's first label under it names the tenant
    /// (<c>acme.auth.example.com</c> is <c>acme</c>), and <c>X-Tenant</c> counts only from trusted proxies.
    /// </summary>
    public string? HostSuffix { get; set; }

    /// <summary>Addresses of reverse proxies whose <c>X-Tenant</c> header is honoured when a host suffix is set.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>The tenant whose admins manage all tenants.</summary>
    public string OperatorTenant { get; set; } = "default";

    /// <summary>When set, the operator tenant answers only on this host name.</summary>
    public string? OperatorHost { get; set; }

    public IEnumerable<string> Validate()
    {
        foreach (var proxy in TrustedProxies)
        {
            if (!IPAddress.TryParse(proxy, out _)) yield return $"Tenancy:TrustedProxies: '{proxy}' is not an IP address.";
        }
        if (!Contracts.Model.TenantIds.IsValid(OperatorTenant)) yield return "Tenancy:OperatorTenant must match ^[a-z0-9][a-z0-9-]{0,62}$.";
        if (HostSuffix is { Length: > 0 } suffix && (suffix.StartsWith('.') || suffix.Contains('/') || suffix.Contains(':')))
            yield return "Tenancy:HostSuffix must be a host name such as auth.example.com.";
    }
}
