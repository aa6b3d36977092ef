using System.Net;
using ItemPathOrleans.Api.ClientAddressing;

namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// The request headers an upstream can trust because the gateway alone sets them: the bearer's
/// <c>X-Auth-*</c> identity, and where the request came from (<c>X-Real-IP</c>,
/// <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c>,
/// <c>X-Forwarded-Prefix</c>). A client's header is dropped when its name folds onto one of them
/// the way upstream stacks fold names: case-insensitively, with every character other than a
/// letter or a digit read as <c>-</c> (CGI, nginx with <c>underscores_in_headers</c> and many
/// frameworks read <c>X_Auth_User</c> as <c>X-Auth-User</c>; some fold any separator).
/// </summary>
public static class GatewayHeaders
{
    public const string RealIp = "X-Real-IP";
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";
    public const string ForwardedPrefix = "X-Forwarded-Prefix";

    // Folded forms. The whole X-Forwarded- family goes: -Port, -Ssl, -User and the like carry the
    // same kind of claim, and Forwarded (RFC 7239) says in one header what the X- ones say. The
    // client-address headers of load balancers and CDNs go too: upstream frameworks configured for
    // one of those read the client's address there, and a client must not name its own.
    private static readonly string[] ReservedPrefixes = ["x-auth-", "x-forwarded-"];
    private static readonly string[] ReservedNames =
        ["x-real-ip", "forwarded", "x-client-ip", "true-client-ip", "x-cluster-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-original-forwarded-for"];

    /// <summary>Whether a header name, as a client sent it, folds onto a header the gateway alone sets.</summary>
    public static bool IsReserved(string name)
    {
        foreach (var prefix in ReservedPrefixes)
            if (FoldsOnto(name, prefix, wholeName: false)) return true;
        foreach (var reserved in ReservedNames)
            if (FoldsOnto(name, reserved, wholeName: true)) return true;
        return false;
    }

    /// <summary>Compares without allocating: this runs for every header of every proxied request.</summary>
    private static bool FoldsOnto(string name, string folded, bool wholeName)
    {
        if (wholeName ? name.Length != folded.Length : name.Length < folded.Length) return false;
        for (var i = 0; i < folded.Length; i++)
        {
            var c = name[i];
            if ((char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-') != folded[i]) return false;
        }
        return true;
    }

    /// <summary>
    /// Where the request came from, as the gateway derived it: the client address of
    /// <see cref="ClientAddress"/> (the connection's, or the nearest untrusted hop of a trusted
    /// proxy's <c>X-Forwarded-For</c>) alone, never a chain a client could have started; the
    /// scheme of the connection, or the one a trusted proxy reported; the Host the gateway routed on.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Forwarding(HttpContext context)
    {
        var request = context.Request;
        var address = ClientAddress.Of(context);
        if (IPAddress.TryParse(address, out _))
        {
            yield return new(RealIp, address);
            yield return new(ForwardedFor, address);
        }
        yield return new(ForwardedProto, Scheme(context));
        if (request.Host.HasValue) yield return new(ForwardedHost, request.Host.Value);
        if (request.PathBase.HasValue) yield return new(ForwardedPrefix, request.PathBase.Value);
    }

    private static string Scheme(HttpContext context)
    {
        if (ClientAddress.FromTrustedProxy(context))
        {
            // The proxy's own value is the last one; only the two schemes there are.
            var reported = context.Request.Headers[ForwardedProto].LastOrDefault()?.Split(',').LastOrDefault()?.Trim();
            if (string.Equals(reported, "https", StringComparison.OrdinalIgnoreCase)) return "https";
            if (string.Equals(reported, "http", StringComparison.OrdinalIgnoreCase)) return "http";
        }
        return context.Request.Scheme;
    }
}
