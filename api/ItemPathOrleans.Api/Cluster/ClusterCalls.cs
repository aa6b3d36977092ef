namespace ItemPathOrleans.Api.Cluster;

/// <summary>
/// How a feature client calls the cluster: a call that is safe to repeat is retried when Orleans
/// did not deliver it (<see cref="ClusterRetry"/>), and a cluster or database that does not answer
/// becomes <see cref="ClusterUnavailableException"/>, which <see cref="ErrorBoundary"/> answers
/// with a 503 and Retry-After (in the OAuth shape on OAuth requests).
/// </summary>
public static class ClusterCalls
{
    /// <summary>A read, a refresh, a login: repeating it does no harm.</summary>
    public static async Task<T> RepeatableAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await ClusterRetry.RunAsync(call);
        }
        catch (Exception ex) when (ex is not ClusterUnavailableException && ClusterFailures.IsUnavailable(ex))
        {
            throw new ClusterUnavailableException(ex);
        }
    }

    /// <summary>A change that must not happen twice: one attempt.</summary>
    public static async Task<T> OnceAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is not ClusterUnavailableException && ClusterFailures.IsUnavailable(ex))
        {
            throw new ClusterUnavailableException(ex);
        }
    }
}
