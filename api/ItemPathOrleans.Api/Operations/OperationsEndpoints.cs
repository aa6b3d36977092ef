using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace ItemPathOrleans.Api.Operations;

/// <summary>
/// What operators read: liveness (the process answers) and readiness (the cluster and the
/// database answer), the metrics (<c>/metrics</c>, loopback and the allowed addresses only), and
/// the API reference (<c>/openapi/v1.json</c>, <c>/docs</c>).
/// </summary>
public static class OperationsEndpoints
{
    public static IServiceCollection AddOperations(this IServiceCollection services) => services.AddSingleton<ClusterHealth>();

    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        var health = app.MapGroup("/health").WithTags("Operations");
        health.MapGet("/live", () => TypedResults.Ok(new HealthJson("live"))).AllowAnonymous()
            .WithName("Live").WithSummary("Liveness: the process answers");
        health.MapGet("/ready", Ready).AllowAnonymous()
            .WithName("Ready").WithSummary("Readiness: the cluster and the database answer")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        // A registration after AddItemPathObservability that adds routing again (AddRouting is
        // idempotent, so it re-adds what was removed) would bring back the 415s: say so at start.
        if (app.Services.GetServices<MatcherPolicy>().Any(p => p.GetType().FullName == "Microsoft.AspNetCore.Routing.Matching.AcceptsMatcherPolicy"))
            throw new InvalidOperationException("Routing's content-type check is registered again: call AddItemPathObservability after every other service registration.");
        var options = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        if (options.ApiReference)
        {
            app.MapOpenApi("/openapi/{documentName}.json");
            app.MapScalarApiReference("/docs", scalar =>
            {
                scalar.WithTitle(ApiReference.Title).WithOpenApiRoutePattern("/openapi/{documentName}.json");
                // Everything from this server: no fonts from a CDN, no telemetry, no AI chat or
                // developer toolbar calling out to a third party.
                scalar.DefaultFonts = false;
                scalar.Telemetry = false;
                scalar.ShowDeveloperTools = DeveloperToolsVisibility.Never;
                scalar.Agent = new ScalarAgentOptions { Disabled = true };
                scalar.Mcp = new ScalarMcpOptions { Disabled = true };
                // Every operation listed in the sidebar from the start.
                scalar.DefaultOpenAllTags = true;
            });
        }
        if (options.Metrics.Enabled)
        {
            var allowed = options.Metrics.AllowedAddresses.Select(a => MetricsAccess.TryParse(a, out var n) ? n : default).ToList();
            app.MapPrometheusScrapingEndpoint(ObservabilityHosting.MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use((context, next) =>
                MetricsAccess.IsAllowed(ClientAddress.Of(context), allowed)
                    ? next(context)
                    : ProblemResult.WriteAsync(context, StatusCodes.Status403Forbidden, "Metrics are not served to this address")), optionsName: null);
        }
                return app;
    }

    private static async Task<Results<Ok<HealthJson>, ProblemResult>> Ready(ClusterHealth cluster) =>
        await cluster.IsReadyAsync()
            ? TypedResults.Ok(new HealthJson("ready"))
            : new ProblemResult(StatusCodes.Status503ServiceUnavailable, "The cluster or the database is not ready", retryAfterSeconds: 2);
}
