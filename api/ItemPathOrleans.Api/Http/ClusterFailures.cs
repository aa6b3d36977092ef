using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;

namespace ItemPathOrleans.Api.Http;

/// <summary>
/// Failures that mean "the cluster or the database did not answer in time": the client gets a
/// 503 with Retry-After, never a hang and never a 500.
/// </summary>
public static class ClusterFailures
{
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException
            or InconsistentStateException or NpgsqlException
            or OrleansException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUnavailable),
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };
}

/// <summary>Maps unavailability to 503 and anything else unexpected to a 500 without internals.</summary>
public sealed partial class ErrorBoundary(RequestDelegate next, ILogger<ErrorBoundary> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            if (ClusterFailures.IsUnavailable(ex))
            {
                LogUnavailable(logger, ex, context.Request.Path);
                await Problems.Unavailable().ExecuteAsync(context);
            }
            else
            {
                LogUnexpected(logger, ex, context.Request.Path);
                await ProblemResult.WriteAsync(context, StatusCodes.Status500InternalServerError, "An internal error occurred");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster or database unavailable while serving {Path}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, PathString path);
}
