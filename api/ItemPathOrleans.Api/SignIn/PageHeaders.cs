using System.Text.RegularExpressions;

namespace ItemPathOrleans.Api.SignIn;

/// <summary>
/// The headers of every page response: a Content-Security-Policy that allows the service's own
/// stylesheet and nothing else (no script, no frame, no base), a no-store cache, and no referrer
/// (the page's URL carries the authorization request).
/// </summary>
public static partial class PageHeaders
{
    /// <summary>
    /// Sets the page headers on <paramref name="response"/>. <paramref name="formTargetOrigin"/> is
    /// an origin the page's form posts to besides this one, or that a post of it redirects to
    /// (browsers enforce <c>form-action</c> on the redirect after a post): the client's redirect
    /// URI on the sign-in and form post pages. A URL is taken down to its origin (a non-HTTP
    /// scheme, as a native app's, to <c>scheme:</c>). <paramref name="identityProviderOrigin"/> is
    /// where the sign-in page's "Sign in with Microsoft" post redirects to (the tenant's Entra
    /// authority), when the page has that button.
    /// </summary>
    /// <exception cref="ArgumentException">A target is not an absolute URL.</exception>
    public static void Apply(HttpResponse response, string? formTargetOrigin = null, string? identityProviderOrigin = null)
    {
        var extra = string.Concat(new[] { formTargetOrigin, identityProviderOrigin }.OfType<string>().Select(SourceOf).Distinct(StringComparer.Ordinal).Select(s => " " + s));
        var headers = response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'{extra}; frame-ancestors 'none'; base-uri 'none'";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers.XContentTypeOptions = "nosniff";
    }

    /// <summary>The CSP source expression of a URL: <c>https://app.example:8443</c>, or <c>com.example.app:</c>.</summary>
    internal static string SourceOf(string url)
    {
        // A path alone parses as a file URI on Unix: the URL must name its scheme itself.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc
            || !url.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase) || !Scheme().IsMatch(uri.Scheme))
            throw new ArgumentException($"'{url}' is not an absolute URL", nameof(url));
        if (uri.Scheme is not ("http" or "https")) return uri.Scheme + ":";
        if (string.IsNullOrEmpty(uri.Host)) throw new ArgumentException($"'{url}' has no host", nameof(url));
        // Host keeps an IPv6 address's brackets; IdnHost gives a name in the ASCII form CSP needs.
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        return uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
    }

    // RFC 3986 scheme: nothing that could end the directive or start another one.
    [GeneratedRegex("^[a-z][a-z0-9+.-]*$")]
    private static partial Regex Scheme();
}
