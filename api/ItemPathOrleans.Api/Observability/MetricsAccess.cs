using System.Net;

namespace ItemPathOrleans.Api.Observability;

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
