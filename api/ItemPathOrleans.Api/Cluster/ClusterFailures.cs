using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;

namespace ItemPathOrleans.Api.Cluster;

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
