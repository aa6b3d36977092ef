using ItemPathOrleans.Grains.Clients;

namespace ItemPathOrleans.UnitTests.Grains.Clients;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ExpiringIdSetTests
{
    [Fact]
    public void An_id_is_taken_once_until_it_expires()
    {
        var set = new ExpiringIdSet([], capacity: 10);
        Assert.True(set.TryAdd("a", expiresAt: 100, now: 0));
        Assert.False(set.TryAdd("a", expiresAt: 200, now: 50));
        Assert.False(set.TryAdd("a", expiresAt: 200, now: 100));
        Assert.True(set.Contains("a", now: 100));
        // Past its expiry it is forgotten: nothing that carries it can pass its own expiry check any more.
        Assert.True(set.TryAdd("a", expiresAt: 300, now: 101));
    }

    [Fact]
    public void The_set_stays_bounded_and_refuses_rather_than_forgets_a_live_id()
    {
        var ids = new Dictionary<string, long>();
        var set = new ExpiringIdSet(ids, capacity: 2);
        Assert.True(set.TryAdd("a", 10, 0));
        Assert.True(set.TryAdd("b", 20, 0));
        Assert.False(set.TryAdd("c", 20, 5));
        Assert.Equal(["a", "b"], set.Live(5).Order());
        // Once "a" expired there is room again, and it is pruned from the stored dictionary.
        Assert.True(set.TryAdd("c", 30, 11));
        Assert.Equal(["b", "c"], ids.Keys.Order());
    }
}
