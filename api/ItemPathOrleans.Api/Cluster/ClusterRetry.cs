using Orleans.Runtime;

namespace ItemPathOrleans.Api.Cluster;

/// <summary>
/// Retries a grain call that Orleans did not deliver: a silo that is stopping rejects the
/// messages it would forward ("Silo stopping") until its grains have moved, and a call to a silo
/// that leaves while the call is out fails with <see cref="SiloUnavailableException"/> (an
/// <see cref="OrleansMessageRejectionException"/>). Only for calls that are safe to repeat: reads,
/// a refresh (the same token again replays the same answer) and a login (at worst one more
/// session, as a client retrying a 503 would open).
/// </summary>
/// <remarks>
/// The retries back off from 25 ms, doubling up to 400 ms, for as long as <see cref="Budget"/>
/// allows: a graceful stop hands its grains over in 0.4–2 s on the test machine, and a caller of a
/// silo that gets SIGTERM must see no failure. (Three attempts 50 and 100 ms apart, as before,
/// let one refresh in some thousands end in a 503 during a graceful stop.) A cluster that is down
/// answers 503 after the budget.
/// </remarks>
public static class ClusterRetry
{
    /// <summary>How long a call that was not delivered is tried again.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(400);

    public static bool IsNotDelivered(Exception exception) =>
        exception is OrleansMessageRejectionException || (exception.InnerException is { } inner && IsNotDelivered(inner));

    public static Task<T> RunAsync<T>(Func<Task<T>> call) => RunAsync(call, TimeProvider.System);

    /// <param name="wait">How a back-off waits (by default <c>Task.Delay</c> on <paramref name="time"/>).</param>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, TimeProvider time, Func<TimeSpan, Task>? wait = null)
    {
        wait ??= delay => Task.Delay(delay, time);
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsNotDelivered(ex) && time.GetElapsedTime(started) + delay <= Budget)
            {
                await wait(delay);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }
}
