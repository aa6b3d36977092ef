using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Users;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.UnitTests.Api.Authentication;

/// <summary>
/// A node's view of the user changes grain: an answer asked for after the node's first view is
/// kept while no change of its user is recorded, for at most <see cref="IUserChangesGrain.KeepAtMost"/>;
/// a change recorded after the answer was asked for stops it within <see cref="UserChangeFeed.MaxAge"/>;
/// a new epoch, a restart or a silent grain keeps nothing. The node's clock is a FakeTimeProvider;
/// the grain is its log, asked through a delegate the tests can break.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class UserChangeFeedTests
{
    private static readonly UserKey Ada = new("acme", 1), Bob = new("acme", 2);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private UserChangeLog _log = new();
    private Func<Guid, long, Task<ChangedUsers>>? _fault;
    private int _asks;

    private UserChangeFeed NewFeed() => new((epoch, sequence) =>
    {
        Interlocked.Increment(ref _asks);
        return _fault?.Invoke(epoch, sequence) ?? Task.FromResult(_log.Since(epoch, sequence));
    }, _time);

    /// <summary>A feed that has received its first view, and an answer asked for just after it.</summary>
    private async Task<(UserChangeFeed Feed, long AskedAt)> StartedAsync()
    {
        var feed = NewFeed();
        // Nothing asked for before the node's first view is kept: it may miss changes of the epoch.
        Assert.False(await feed.VouchesForAsync(Ada, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        return (feed, _time.GetTimestamp());
    }

    [Fact]
    public async Task An_answer_is_kept_while_no_change_of_its_user_is_recorded_asking_about_twice_a_second_and_at_most_a_minute()
    {
        var (feed, askedAt) = await StartedAsync();
        var asks = _asks;
        var kept = 0;
        while (_time.GetElapsedTime(askedAt) < IUserChangesGrain.KeepAtMost - TimeSpan.FromMilliseconds(300))
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            if (await feed.VouchesForAsync(Ada, askedAt)) kept++;
            // An ask started in the background lands before the clock moves on.
            await Settle(feed);
        }
        Assert.Equal(239, kept);
        Assert.InRange(_asks - asks, 100, 125);

        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.False(await feed.VouchesForAsync(Ada, askedAt));
    }

    [Fact]
    public async Task A_change_recorded_after_the_answer_was_asked_for_stops_it_within_MaxAge_and_only_its_users()
    {
        var (feed, askedAt) = await StartedAsync();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await feed.VouchesForAsync(Ada, askedAt));

        // Ada's grain records itself, then writes (a session revoked, say).
        _log.Record(Ada, _time.GetUtcNow());
        _time.Advance(UserChangeFeed.MaxAge);

        Assert.False(await feed.VouchesForAsync(Ada, askedAt));
        Assert.True(await feed.VouchesForAsync(Bob, askedAt));
        // Ada's answers are asked for once per latency for a minute after the node learnt of the
        // change (a stale duplicate of her grain would answer no longer than before), then kept again.
        var learnt = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(30));
        var later = _time.GetTimestamp();
        _time.Advance(IUserChangesGrain.KeepAtMost - TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.False(await feed.VouchesForAsync(Ada, later));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await feed.VouchesForAsync(Ada, later));
        Assert.True(_time.GetElapsedTime(learnt) >= IUserChangesGrain.KeepAtMost);
        Assert.True(await feed.VouchesForAsync(Bob, later));
    }

    [Fact]
    public async Task A_new_epoch_keeps_no_answer_asked_for_before_the_node_saw_it()
    {
        var (feed, askedAt) = await StartedAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await feed.VouchesForAsync(Ada, askedAt));

        // The changes grain is activated again (its silo died): what the old one held is gone.
        _log = new UserChangeLog();
        _time.Advance(UserChangeFeed.MaxAge);
        Assert.False(await feed.VouchesForAsync(Ada, askedAt));
        Assert.False(await feed.VouchesForAsync(Bob, askedAt));

        _time.Advance(TimeSpan.FromMilliseconds(10));
        var later = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await feed.VouchesForAsync(Ada, later));
    }

    [Fact]
    public async Task A_node_further_behind_than_the_log_holds_keeps_no_answer_asked_for_before()
    {
        var (feed, askedAt) = await StartedAsync();
        // The node stops asking (no answer past its latency is needed) while users change.
        _log.Record(Bob, _time.GetUtcNow());
        _time.Advance(UserChangeLog.Retention + TimeSpan.FromSeconds(1));
        _log.Record(Bob, _time.GetUtcNow());

        Assert.False(await feed.VouchesForAsync(Ada, Ago(TimeSpan.FromSeconds(5))));
        Assert.False(await feed.VouchesForAsync(Ada, askedAt));
    }

    [Fact]
    public async Task When_the_changes_grain_fails_or_is_slow_nothing_is_kept()
    {
        var (feed, askedAt) = await StartedAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await feed.VouchesForAsync(Ada, askedAt));

        _fault = (_, _) => Task.FromException<ChangedUsers>(new TimeoutException("the changes grain does not answer"));
        _time.Advance(UserChangeFeed.MaxAge);
        Assert.False(await feed.VouchesForAsync(Ada, askedAt));

        // An ask that hangs is waited for at most StaleWait.
        var hanging = new TaskCompletionSource<ChangedUsers>();
        _fault = (_, _) => hanging.Task;
        _time.Advance(UserChangeFeed.MaxAge);
        (Guid Epoch, long Sequence) asked = default;
        _fault = (epoch, sequence) =>
        {
            asked = (epoch, sequence);
            return hanging.Task;
        };
        _time.Advance(UserChangeFeed.MaxAge);
        // Its timer is set before the call returns: the clock moves past it.
        var vouching = feed.VouchesForAsync(Ada, askedAt);
        _time.Advance(TenantCache.StaleWait);
        Assert.False(await vouching);

        // The grain answers again, and nothing was recorded meanwhile: the answer is kept again.
        _fault = null;
        hanging.SetResult(_log.Since(asked.Epoch, asked.Sequence));
        await Settle(feed);
        _time.Advance(UserChangeFeed.MaxAge);
        Assert.True(await feed.VouchesForAsync(Ada, askedAt));
    }

    [Fact]
    public async Task The_node_forgets_changes_older_than_KeepAtMost()
    {
        var (feed, askedAt) = await StartedAsync();
        for (var i = 0; i < 1000; i++) _log.Record(new UserKey("acme", 100 + i), _time.GetUtcNow());
        _time.Advance(UserChangeFeed.MaxAge);
        await feed.VouchesForAsync(Ada, askedAt);
        Assert.Equal(1000, feed.RememberedChanges);

        // Dropped at the first sweep after they are KeepAtMost old (a sweep a KeepAtMost).
        for (var i = 0; i < 130; i++)
        {
            _time.Advance(UserChangeFeed.MaxAge);
            await feed.VouchesForAsync(Ada, Ago(TimeSpan.FromMilliseconds(1)));
        }
        Assert.Equal(0, feed.RememberedChanges);
    }

    [Fact]
    public async Task Past_MaxRemembered_changed_users_the_node_restarts_and_keeps_no_answer_asked_for_before()
    {
        var (feed, askedAt) = await StartedAsync();
        const int Batch = UserChangeFeed.MaxRemembered * 3 / 4;
        for (var i = 0; i < Batch; i++) _log.Record(new UserKey("acme", 1000 + i), _time.GetUtcNow());
        _time.Advance(UserChangeFeed.MaxAge);
        Assert.True(await feed.VouchesForAsync(Ada, askedAt));
        Assert.Equal(Batch, feed.RememberedChanges);

        for (var i = 0; i < Batch; i++) _log.Record(new UserKey("acme", 1000 + Batch + i), _time.GetUtcNow());
        _time.Advance(UserChangeFeed.MaxAge);
        Assert.False(await feed.VouchesForAsync(Ada, askedAt));
        Assert.Equal(0, feed.RememberedChanges);

        _time.Advance(TimeSpan.FromMilliseconds(10));
        var later = _time.GetTimestamp();
        _time.Advance(UserChangeFeed.MaxAge);
        Assert.True(await feed.VouchesForAsync(Ada, later));
    }

    /// <summary>The node's timestamp <paramref name="age"/> ago.</summary>
    private long Ago(TimeSpan age) => _time.GetTimestamp() - (long)(age.TotalSeconds * _time.TimestampFrequency);

    private static async Task Settle(UserChangeFeed feed)
    {
        try
        {
            await feed.Settled;
        }
        catch (Exception)
        {
            // A failed ask is what some tests script; the feed saw it.
        }
    }
}
