using Orleans.Runtime;

namespace ItemPathOrleans.Api.Cluster;

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
