using ItemPathOrleans.Api.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.UnitTests.Api.RateLimiting;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class FailedLoginBudgetTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private FailedLoginBudget Budget(int perWindow, int maxKeys = 1000) => new(perWindow, Minute, maxKeys, _time);

    [Fact]
    public void Attempts_past_the_limit_are_refused_until_the_window_ends()
    {
        var budget = Budget(3);
        for (var i = 0; i < 3; i++) Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        Assert.Equal(Minute, budget.Reserve("10.0.0.1").Refusal);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TimeSpan.FromSeconds(1), budget.Reserve("10.0.0.1").Refusal);
        // Another address has its own budget.
        Assert.Null(budget.Reserve("10.0.0.2").Refusal);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(budget.Reserve("10.0.0.1").Refusal);
    }

    [Fact]
    public void An_attempt_given_back_does_not_count()
    {
        var budget = Budget(2);
        for (var i = 0; i < 10; i++)
        {
            var succeeded = budget.Reserve("10.0.0.1");
            Assert.Null(succeeded.Refusal);
            succeeded.GiveBack();
        }
        Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        Assert.NotNull(budget.Reserve("10.0.0.1").Refusal);
    }

    [Fact]
    public void An_attempt_given_back_twice_returns_one()
    {
        var budget = Budget(2);
        var first = budget.Reserve("10.0.0.1");
        Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        first.GiveBack();
        first.GiveBack();
        Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        Assert.NotNull(budget.Reserve("10.0.0.1").Refusal);
    }

    [Fact]
    public void An_attempt_given_back_after_its_window_ended_takes_nothing_from_the_next()
    {
        var budget = Budget(1);
        var old = budget.Reserve("10.0.0.1");
        _time.Advance(Minute);
        Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        old.GiveBack();
        Assert.NotNull(budget.Reserve("10.0.0.1").Refusal);
    }

    [Fact]
    public void A_refused_attempt_given_back_returns_nothing()
    {
        var budget = Budget(1);
        Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        var refused = budget.Reserve("10.0.0.1");
        Assert.NotNull(refused.Refusal);
        refused.GiveBack();
        Assert.NotNull(budget.Reserve("10.0.0.1").Refusal);
    }

    [Fact]
    public async Task Parallel_reservations_never_exceed_the_limit()
    {
        var budget = Budget(10);
        using var start = new Barrier(8);
        var granted = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            var mine = 0;
            for (var i = 0; i < 1000; i++)
            {
                if (budget.Reserve("10.0.0.1").Refusal is null) mine++;
            }
            return mine;
        })));
        Assert.Equal(10, granted.Sum());
    }

    [Fact]
    public async Task Parallel_attempts_given_back_leave_the_budget_whole()
    {
        var budget = Budget(4);
        using var start = new Barrier(8);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 1000; i++) budget.Reserve("10.0.0.1").GiveBack();
        })));
        for (var i = 0; i < 4; i++) Assert.Null(budget.Reserve("10.0.0.1").Refusal);
        Assert.NotNull(budget.Reserve("10.0.0.1").Refusal);
    }

    [Fact]
    public void Addresses_past_the_bound_share_one_budget_and_tracked_ones_keep_theirs()
    {
        var budget = Budget(2, maxKeys: 100);
        for (var i = 0; i < 100; i++) Assert.Null(budget.Reserve($"10.0.{i / 256}.{i % 256}").Refusal);
        Assert.Equal(100, budget.TrackedKeys);

        // A flood of new addresses: two failures between all of them, and no more memory.
        var granted = Enumerable.Range(0, 10_000).Count(i => budget.Reserve($"203.0.{i / 256}.{i % 256}").Refusal is null);
        Assert.Equal(2, granted);
        Assert.Equal(100, budget.TrackedKeys);
        // A tracked address still has its own second attempt, and no third.
        Assert.Null(budget.Reserve("10.0.0.0").Refusal);
        Assert.NotNull(budget.Reserve("10.0.0.0").Refusal);
    }

    [Fact]
    public void Addresses_leave_when_their_window_ends()
    {
        var budget = Budget(2, maxKeys: 100);
        for (var i = 0; i < 100; i++) budget.Reserve($"10.0.0.{i}");
        _time.Advance(TimeSpan.FromSeconds(59));
        budget.Reserve("10.0.1.1");
        Assert.Equal(100, budget.TrackedKeys);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(budget.Reserve("10.0.2.1").Refusal);
        // The first hundred windows ended: only the address seen since is tracked.
        Assert.Equal(1, budget.TrackedKeys);
    }

    [Fact]
    public void Refusal_takes_nothing_and_Spend_counts_after_the_fact()
    {
        var budget = Budget(2);
        for (var i = 0; i < 5; i++) Assert.Null(budget.Refusal("10.0.0.1"));
        budget.Spend("10.0.0.1");
        Assert.Null(budget.Refusal("10.0.0.1"));
        budget.Spend("10.0.0.1");
        Assert.Equal(Minute, budget.Refusal("10.0.0.1"));
        Assert.NotNull(budget.Reserve("10.0.0.1").Refusal);
    }
}
