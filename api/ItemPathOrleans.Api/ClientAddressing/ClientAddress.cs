using System.Net;
using ItemPathOrleans.Api.Tenancy;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.ClientAddressing;

/// <summary>
/// The client's address, for lockouts and rate limits: the connection's, or, when the connection
/// comes from a trusted proxy (<c>Tenancy:TrustedProxies</c>), the nearest address in
/// <c>X-Forwarded-For</c> that is not itself a trusted proxy. A client can never choose its own
/// address by sending the header.
/// </summary>
public static class ClientAddress
{
    private const string ItemKey = "itempath:client-address";

    public static string Of(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var cached) && cached is string known) return known;
        var trusted = context.RequestServices.GetRequiredService<IOptions<TenancyOptions>>().Value.TrustedProxies;
        var address = Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"], trusted);
        context.Items[ItemKey] = address;
        return address;
    }

    /// <summary>Whether the connection comes from an address in <c>Tenancy:TrustedProxies</c>.</summary>
    public static bool FromTrustedProxy(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null) return false;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        return IsTrusted(remote, context.RequestServices.GetRequiredService<IOptions<TenancyOptions>>().Value.TrustedProxies);
    }

    internal static string Resolve(IPAddress? remote, IEnumerable<string?> forwardedFor, IReadOnlyCollection<string> trustedProxies)
    {
        if (remote is null) return "unknown";
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        if (!IsTrusted(remote, trustedProxies)) return remote.ToString();

        // Walk the chain from the nearest hop back; the first one that is not our proxy is the client.
        var hops = forwardedFor.Where(v => v is not null).SelectMany(v => v!.Split(',')).Select(h => h.Trim()).ToList();
        for (var i = hops.Count - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop)) return remote.ToString();
            if (hop.IsIPv4MappedToIPv6) hop = hop.MapToIPv4();
            if (!IsTrusted(hop, trustedProxies)) return hop.ToString();
        }
        return remote.ToString();
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyCollection<string> trustedProxies) =>
        trustedProxies.Any(p => IPAddress.TryParse(p, out var proxy) && proxy.Equals(address));
}
