using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>Liveness (the process answers) and readiness (the cluster and the database answer).</summary>
public static class HealthApi
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Operations");
        health.MapGet("/live", () => TypedResults.Ok(new HealthJson("live"))).AllowAnonymous()
            .WithName("Live").WithSummary("Liveness: the process answers")
            .Produces<HealthJson>(StatusCodes.Status200OK);
        health.MapGet("/ready", Ready).AllowAnonymous()
            .WithName("Ready").WithSummary("Readiness: the cluster and the database answer")
            .Produces<HealthJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> Ready(IGrainFactory grains)
    {
        try
        {
            var ready = await grains.GetGrain<IUserRegistryGrain>(0).IsStorageReady().WaitAsync(ReadyTimeout);
            if (ready) return TypedResults.Ok(new HealthJson("ready"));
        }
        catch (Exception ex) when (ClusterFailures.IsUnavailable(ex) || ex is InvalidOperationException)
        {
            // Not connected to the cluster yet, or the call failed: not ready.
        }
        return new ProblemResult(StatusCodes.Status503ServiceUnavailable, "The cluster or the database is not ready", retryAfterSeconds: 2);
    }
}
