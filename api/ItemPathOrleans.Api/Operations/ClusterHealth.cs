using ItemPathOrleans.Api.Cluster;



namespace ItemPathOrleans.Api.Operations;

/// <summary>Whether this node can serve: the cluster answers, and so does its database, within a short wait.</summary>
public sealed class ClusterHealth(IGrainFactory grains)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(3);

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            return await grains.UserRegistry().IsStorageReady().WaitAsync(ReadyTimeout);
        }
        catch (Exception ex) when (ClusterFailures.IsUnavailable(ex) || ex is InvalidOperationException)
        {
            // Not connected to the cluster yet, or the call failed: not ready.
            return false;
        }
    }
}
