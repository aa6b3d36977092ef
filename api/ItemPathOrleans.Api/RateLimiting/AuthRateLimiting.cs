using System.Threading.RateLimiting;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Hosting;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.ClusterNode.Lockout;

namespace ItemPathOrleans.Api.RateLimiting;

/// <summary>The operator's optional limit of every authentication request per client address.</summary>
public static class AuthRateLimiting
{
    /// <summary>The rate-limiter policy of the authentication endpoints (login, refresh, application tokens, logout).</summary>
    public const string Policy = "auth";

    /// <summary>
    /// All requests to the authentication endpoints per client address, when
    /// <c>RateLimit:AuthRequestsPerMinute</c> is above 0 (off by default: successful logins are
    /// never limited unless an operator asks for it).
    /// </summary>
    public static IServiceCollection AddRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RateLimitOptions>(configuration, RateLimitOptions.Section);
        services.AddSingleton<FailedLoginLimiter>();
        return services.AddAuthRateLimiter(configuration);
    }

    private static IServiceCollection AddAuthRateLimiter(this IServiceCollection services, IConfiguration configuration)
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
