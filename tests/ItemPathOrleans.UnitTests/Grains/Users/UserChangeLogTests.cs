using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.UnitTests.Grains.Users;

/// <summary>
/// The user changes grain's log: a node that asks with its last sequence gets each user recorded
/// since, once; a node of another epoch, or further behind than the log holds, is told to restart
/// and never given a partial list; the log holds changes for <see cref="UserChangeLog.Retention"/>
/// and at most <see cref="UserChangeLog.MaxEntries"/> of them.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class UserChangeLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly UserKey Ada = new("acme", 1), Bob = new("acme", 2), OtherAda = new("globex", 1);

    [Fact]
    public void A_first_ask_restarts_at_the_current_sequence_and_later_asks_get_each_user_recorded_since_once()
    {
        var log = new UserChangeLog();
        log.Record(Ada, Start);
        var first = log.Since(Guid.Empty, 0);
        Assert.True(first.Restart);
        Assert.Empty(first.Users);
        Assert.Equal(1, first.Sequence);

        // A change is recorded before its write and again after it.
        log.Record(Bob, Start);
        log.Record(OtherAda, Start);
        log.Record(Bob, Start);
        var next = log.Since(first.Epoch, first.Sequence);
        Assert.False(next.Restart);
        Assert.Equal(4, next.Sequence);
        Assert.Equal(2, next.Users.Count);
        Assert.Equal(new HashSet<UserKey> { Bob, OtherAda }, next.Users.ToHashSet());

        var none = log.Since(next.Epoch, next.Sequence);
        Assert.False(none.Restart);
        Assert.Empty(none.Users);
    }

    [Fact]
    public void A_node_of_another_epoch_or_from_the_future_is_told_to_restart()
    {
        var log = new UserChangeLog();
        log.Record(Ada, Start);
        Assert.True(log.Since(Guid.NewGuid(), 0).Restart);
        Assert.True(log.Since(log.Epoch, 2).Restart);
        Assert.False(log.Since(log.Epoch, 0).Restart);
    }

    [Fact]
    public void Changes_older_than_the_retention_are_dropped_and_a_node_that_missed_them_restarts()
    {
        var log = new UserChangeLog();
        log.Record(Ada, Start);
        log.Record(Bob, Start + TimeSpan.FromSeconds(30));
        // Ada's change leaves the log with the next record past its retention.
        log.Record(OtherAda, Start + UserChangeLog.Retention + TimeSpan.FromSeconds(1));

        // A node at sequence 0 would need Ada's change: it restarts.
        Assert.True(log.Since(log.Epoch, 0).Restart);
        // A node at sequence 1 needs only what is held.
        var held = log.Since(log.Epoch, 1);
        Assert.False(held.Restart);
        Assert.Equal(2, held.Users.Count);
        Assert.Equal(new HashSet<UserKey> { Bob, OtherAda }, held.Users.ToHashSet());
    }

    [Fact]
    public void The_log_holds_at_most_its_bound_however_fast_users_change()
    {
        var log = new UserChangeLog();
        for (var i = 0; i < UserChangeLog.MaxEntries + 10; i++) log.Record(new UserKey("acme", i), Start);

        Assert.True(log.Since(log.Epoch, 9).Restart);
        var held = log.Since(log.Epoch, 10);
        Assert.False(held.Restart);
        Assert.Equal(UserChangeLog.MaxEntries, held.Users.Count);
        Assert.DoesNotContain(new UserKey("acme", 9), held.Users);
    }
}
