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

public static class AuthRateLimiting
{
    /// <summary>The rate-limiter policy of the authentication endpoints (login, refresh, application tokens, logout).</summary>
    public const string Policy = "auth";

    /// <summary>
    /// All requests to the authentication endpoints per client address, when
    /// <c>RateLimit:AuthRequestsPerMinute</c> is above 0 (off by default: successful logins are
    /// never limited unless an operator asks for it).
    /// </summary>
    public static IServiceCollection AddAuthRateLimiter(this IServiceCollection services, IConfiguration configuration)
    {
        var perMinute = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>()?.AuthRequestsPerMinute ?? 0;
        return services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
                var operation = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unknown";
                var metrics = context.HttpContext.RequestServices.GetService<Observability.AuthMetrics>();
                if (operation == "Login") metrics?.LoginFailed(Observability.AuthMetrics.LoginOutcomes.RateLimited);
                else metrics?.Failed(operation, Observability.AuthMetrics.Reasons.RateLimited);
                await new ProblemResult(StatusCodes.Status429TooManyRequests, "Too many requests; retry later",
                    retryAfterSeconds: Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))).ExecuteAsync(context.HttpContext);
            };
            o.AddPolicy(Policy, http => perMinute <= 0
                ? RateLimitPartition.GetNoLimiter("all")
                : RateLimitPartition.GetFixedWindowLimiter(ClientAddresses.Key(ClientAddress.Of(http)), _ =>
                    new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
    }
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
