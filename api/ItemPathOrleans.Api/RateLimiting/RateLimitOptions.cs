using ItemPathOrleans.Api.Hosting;



namespace ItemPathOrleans.Api.RateLimiting;

/// <summary>Rate limits (section <c>RateLimit</c>).</summary>
public sealed class RateLimitOptions : IValidatedOptions
{
    public const string Section = "RateLimit";

    /// <summary>Failed logins per client address (IPv4, IPv6 /64) per minute on this node before 429; 0 turns it off.</summary>
    public int FailedLoginsPerMinute { get; set; } = 100;

    /// <summary>All requests to the authentication endpoints per client address per minute on this node; 0 (default) is off.</summary>
    public int AuthRequestsPerMinute { get; set; }

    public IEnumerable<string> Validate()
    {
        if (FailedLoginsPerMinute < 0) yield return "RateLimit:FailedLoginsPerMinute must be 0 (off) or more";
        if (AuthRequestsPerMinute < 0) yield return "RateLimit:AuthRequestsPerMinute must be 0 (off) or more";
    }
}
