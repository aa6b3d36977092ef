using System.Net;
using System.Net.Sockets;

namespace ItemPathOrleans.ClusterNode.Lockout;

/// <summary>The unit lockouts count by: an IPv4 address, or an IPv6 /64 (one subscriber's network).</summary>
public static class ClientAddresses
{
    public const string Unknown = "unknown";

    public static string Key(string? address)
    {
        if (address is null || !IPAddress.TryParse(address, out var ip)) return Unknown;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
