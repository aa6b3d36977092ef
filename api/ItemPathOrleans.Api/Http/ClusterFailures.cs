using ItemPathOrleans.ClusterNode.Diagnostics;
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

/// <summary>
/// Retries a grain call that Orleans did not deliver: a silo that is stopping rejects the
/// messages it would forward ("Silo stopping"), and a call to a silo that leaves while the call is
/// out fails with <see cref="SiloUnavailableException"/>. Only for calls that are safe to repeat:
/// reads, a refresh (the same token again replays the same answer) and a login (at worst one more
/// session, as a client retrying a 503 would open).
/// </summary>
public static class ClusterRetry
{
    public const int Attempts = 3;

    public static bool IsNotDelivered(Exception exception) =>
        exception is OrleansMessageRejectionException || (exception.InnerException is { } inner && IsNotDelivered(inner));

    public static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (attempt < Attempts && IsNotDelivered(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
            }
        }
    }
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
                LogUnavailable(logger, ex, LogText.Escape(context.Request.Path.Value));
                await Problems.Unavailable().ExecuteAsync(context);
            }
            else
            {
                LogUnexpected(logger, ex, LogText.Escape(context.Request.Path.Value));
                await ProblemResult.WriteAsync(context, StatusCodes.Status500InternalServerError, "An internal error occurred");
            }
        }
    }

    /// <summary>The path is the client's: escaped (LogText).</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster or database unavailable while serving {Path}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string path);
}
