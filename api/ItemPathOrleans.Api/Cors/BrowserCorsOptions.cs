using ItemPathOrleans.Api.Hosting;


namespace ItemPathOrleans.Api.Cors;

/// <summary>CORS for browser front ends (MSAL single-page apps). Empty origins: no CORS headers at all.</summary>
public sealed class BrowserCorsOptions : IValidatedOptions
{
    public const string Section = "Cors";

    /// <summary>Exact origins (<c>https://app.example.com</c>); no wildcard.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may keep a preflight answer.</summary>
    public int PreflightMaxAgeSeconds { get; set; } = 600;

    public IEnumerable<string> Validate()
    {
        foreach (var origin in AllowedOrigins)
        {
            if (origin == "*") yield return "Cors:AllowedOrigins takes exact origins, not '*'.";
            else if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                     || uri.AbsolutePath != "/" || origin.EndsWith('/') || !string.IsNullOrEmpty(uri.Query))
                yield return $"Cors:AllowedOrigins '{origin}' must be an origin: scheme://host[:port], nothing after.";
        }
        if (PreflightMaxAgeSeconds is < 0 or > 86_400) yield return "Cors:PreflightMaxAgeSeconds must be between 0 and 86400.";
    }
}
