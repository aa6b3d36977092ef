using System.Threading.RateLimiting;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Http;

/// <summary>Rate limits (section <c>RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Failed logins per client address (IPv4, IPv6 /64) per minute on this node before 429; 0 turns it off.</summary>
    public int FailedLoginsPerMinute { get; set; } = 100;

    /// <summary>All requests to the authentication endpoints per client address per minute on this node; 0 (default) is off.</summary>
    public int AuthRequestsPerMinute { get; set; }
}

/// <summary>
/// Counts only failed logins per client address (a success is never limited): a login first
/// checks that the address has failures left, and a failure then spends one.
/// </summary>
public sealed class FailedLoginLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public FailedLoginLimiter(IOptions<RateLimitOptions> options)
    {
        var perMinute = options.Value.FailedLoginsPerMinute;
        if (perMinute <= 0) return;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>Null when the address may try; else how long it waits.</summary>
    public TimeSpan? Refusal(string clientAddress)
    {
        if (_limiter is null) return null;
        using var lease = _limiter.AttemptAcquire(ClientAddresses.Key(clientAddress), 0);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
    }

    public void Failed(string clientAddress)
    {
        if (_limiter is null) return;
        using var _ = _limiter.AttemptAcquire(ClientAddresses.Key(clientAddress), 1);
    }

    public void Dispose() => _limiter?.Dispose();
}
