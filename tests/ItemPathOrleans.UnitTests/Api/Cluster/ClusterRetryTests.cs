using ItemPathOrleans.Api.Cluster;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace ItemPathOrleans.UnitTests.Api.Cluster;

/// <summary>
/// A call Orleans did not deliver is tried again for as long as a silo's graceful stop takes
/// (<see cref="ClusterRetry.Budget"/>), backing off; anything else fails at once.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ClusterRetryTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    /// <summary>Runs the retries; each back-off moves the clock on by exactly its length.</summary>
    private Task<T> RunAsync<T>(Func<Task<T>> call) =>
        ClusterRetry.RunAsync(call, _time, delay =>
        {
            _time.Advance(delay);
            return Task.CompletedTask;
        });

    [Fact]
    public async Task A_silo_stopping_for_two_seconds_costs_the_caller_no_failure()
    {
        var began = _time.GetUtcNow();
        var attempts = 0;
        var answer = await RunAsync(() =>
        {
            attempts++;
            // Rejected while the silo hands its grains over: 2 s, as a slow graceful stop.
            return _time.GetUtcNow() - began < TimeSpan.FromSeconds(2)
                ? Task.FromException<int>(new SiloUnavailableException("Silo stopping"))
                : Task.FromResult(42);
        });

        Assert.Equal(42, answer);
        // After 25, 50, 100, 200, 400, 400, 400, 400 and 400 ms of back-off: 2,375 ms, the first
        // attempt after the stop (a handful of attempts, not a busy loop).
        Assert.Equal(10, attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(2375), _time.GetUtcNow() - began);
    }

    [Fact]
    public async Task A_call_never_delivered_fails_after_the_budget()
    {
        var began = _time.GetUtcNow();
        var last = began;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => RunAsync<int>(() =>
        {
            last = _time.GetUtcNow();
            return Task.FromException<int>(new SiloUnavailableException("gone"));
        }));

        // Tried up to the budget and not past it: the last attempt at 2,775 ms, as the next back-off
        // (400 ms) would end after 3 s.
        Assert.Equal(TimeSpan.FromMilliseconds(2775), last - began);
    }

    [Fact]
    public async Task Other_failures_are_not_tried_again()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<TimeoutException>(() => RunAsync<int>(() =>
        {
            attempts++;
            return Task.FromException<int>(new TimeoutException("no answer"));
        }));

        Assert.Equal(1, attempts);
    }
}
