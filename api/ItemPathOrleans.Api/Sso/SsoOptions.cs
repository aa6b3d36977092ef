using ItemPathOrleans.Api.Hosting;



namespace ItemPathOrleans.Api.Sso;

/// <summary>Single sign-on options (<c>Sso:*</c>): where the server may fetch OpenID metadata from, and bounds.</summary>
public sealed class SsoOptions : IValidatedOptions
{
    public const string Section = "Sso";
    public const string DefaultAuthorityHost = "login.microsoftonline.com";

    /// <summary>Hosts a tenant's authority (and the key set its metadata names) may be on; empty: <see cref="DefaultAuthorityHost"/>.</summary>
    public string[] AllowedAuthorityHosts { get; set; } = [];

    /// <summary>Plain-HTTP authorities (tests on loopback only).</summary>
    public bool AllowHttpAuthorities { get; set; }

    /// <summary>Longest ID token accepted, in characters.</summary>
    public int MaxIdTokenLength { get; set; } = 12_288;

    /// <summary>Largest OpenID metadata or key set document read from an authority.</summary>
    public int MaxMetadataBytes { get; set; } = 262_144;

    /// <summary>Time allowed for each fetch of metadata or keys.</summary>
    public int FetchTimeoutSeconds { get; set; } = 5;

    /// <summary>Clock skew allowed on an ID token's <c>exp</c> and <c>nbf</c>.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    public IReadOnlyList<string> Hosts => AllowedAuthorityHosts.Length == 0 ? [DefaultAuthorityHost] : AllowedAuthorityHosts;

    /// <summary>True when the server may fetch from <paramref name="url"/>: an allowed host, https (or http when allowed).</summary>
    public bool Allows(Uri url) =>
        url.IsAbsoluteUri
        && (url.Scheme == Uri.UriSchemeHttps || (AllowHttpAuthorities && url.Scheme == Uri.UriSchemeHttp))
        && url.UserInfo.Length == 0
        && Hosts.Any(h => string.Equals(h, url.IdnHost, StringComparison.OrdinalIgnoreCase) || string.Equals(h, url.Host, StringComparison.OrdinalIgnoreCase));

    public IEnumerable<string> Validate()
    {
        if (MaxIdTokenLength is < 1_024 or > 16_384) yield return "Sso:MaxIdTokenLength must be between 1024 and 16384";
        if (MaxMetadataBytes is < 4_096 or > 4_194_304) yield return "Sso:MaxMetadataBytes must be between 4096 and 4194304";
        if (FetchTimeoutSeconds is < 1 or > 60) yield return "Sso:FetchTimeoutSeconds must be between 1 and 60";
        if (ClockSkewSeconds is < 0 or > 300) yield return "Sso:ClockSkewSeconds must be between 0 and 300";
        if (AllowedAuthorityHosts.Any(string.IsNullOrWhiteSpace)) yield return "Sso:AllowedAuthorityHosts must not contain empty entries";
    }
}
