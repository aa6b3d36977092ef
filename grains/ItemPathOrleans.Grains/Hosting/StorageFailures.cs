using System.Data.Common;
using System.Net.Sockets;
using ItemPathOrleans.Contracts;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace ItemPathOrleans.Grains.Hosting;

/// <summary>
/// Database failures reach callers as <see cref="StorageUnavailableException"/>: the driver's own
/// exceptions (and exceptions wrapping them) cannot be serialized back across the cluster, so a
/// caller would otherwise see a codec error instead of "the database did not answer".
/// </summary>
public static partial class StorageFailures
{
    /// <summary>Whether the exception, or one it wraps, comes from the database connection.</summary>
    public static bool IsDatabaseFailure(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or SocketException or TimeoutException) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDatabaseFailure)) return true;
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database did not answer during {Operation} of {GrainType}")]
    internal static partial void LogDatabaseFailure(ILogger logger, Exception exception, string operation, string grainType);
}

/// <summary>Grain storage that reports database failures as <see cref="StorageUnavailableException"/> (reads, writes, clears).</summary>
public sealed class GuardedGrainStorage(IGrainStorage inner, ILogger<GuardedGrainStorage> logger) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(inner.ReadStateAsync(stateName, grainId, grainState), "a read", stateName);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(inner.WriteStateAsync(stateName, grainId, grainState), "a write", stateName);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guard(inner.ClearStateAsync(stateName, grainId, grainState), "a clear", stateName);

    private async Task Guard(Task operation, string what, string stateName)
    {
        try
        {
            await operation;
        }
        catch (Exception ex) when (ex is not InconsistentStateException && StorageFailures.IsDatabaseFailure(ex))
        {
            StorageFailures.LogDatabaseFailure(logger, ex, what, stateName);
            throw new StorageUnavailableException();
        }
    }
}

/// <summary>The same rule for everything a grain method does with the database itself (directory, security events).</summary>
public sealed class StorageFailureFilter(ILogger<StorageFailureFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (ex is not StorageUnavailableException && StorageFailures.IsDatabaseFailure(ex))
        {
            StorageFailures.LogDatabaseFailure(logger, ex, context.InterfaceMethod?.Name ?? "a call", context.TargetId.Type.ToString());
            throw new StorageUnavailableException();
        }
    }
}
