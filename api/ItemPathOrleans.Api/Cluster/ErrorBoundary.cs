using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.ClusterNode.Diagnostics;

namespace ItemPathOrleans.Api.Cluster;

/// <summary>Writes the answer of a refused request body; maps unavailability to 503 and anything else unexpected to a 500 without internals.</summary>
public sealed partial class ErrorBoundary(RequestDelegate next, ILogger<ErrorBoundary> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (RequestRejectedException rejected) when (!context.Response.HasStarted)
        {
            // A body its record refused while binding: the contract's 400 or 413, not a fault.
            await rejected.Answer.ExecuteAsync(context);
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
