using ItemPathOrleans.Api.SignIn;

namespace ItemPathOrleans.Api.Console;

/// <summary>
/// The headers of the console's page: a Content-Security-Policy that runs the service's own
/// script modules and nothing else (no inline script, no eval, no other origin), lets them call
/// this origin and the issuer's, and allows no frame, no base and no plugin; no caching and no
/// referrer (the callback's address carries the code).
/// </summary>
public static class ConsolePageHeaders
{
    public static void Apply(HttpResponse response, string issuer)
    {
        var issuerOrigin = PageHeaders.SourceOf(issuer);
        var headers = response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' {issuerOrigin}; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers.XContentTypeOptions = "nosniff";
    }
}
