using ItemPathOrleans.Grains.Clients;

namespace ItemPathOrleans.UnitTests.Grains.Clients;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ClientQuotaTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_client_gets_its_requests_per_minute_then_waits_for_the_next_window()
    {
        var quota = new ClientQuota();
        Assert.True(quota.TryTake(2, T0, out _));
        Assert.True(quota.TryTake(2, T0.AddSeconds(10), out _));
        Assert.False(quota.TryTake(2, T0.AddSeconds(15), out var wait));
        Assert.Equal(TimeSpan.FromSeconds(45), wait);
        Assert.True(quota.TryTake(2, T0.AddSeconds(60), out _));
    }
}
