using ItemPathOrleans.ClusterNode.Lockout;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Lockout;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.UnitTests.Grains.Lockout;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class LoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LoginThrottle _throttle = new();
    private static readonly TenantSettings Settings = TenantSettings.Default; // 5, 60 s, 900 s, 50 in 900 s
    private DateTimeOffset Now => _time.GetUtcNow();

    private ThrottleDecision Attempt(string address = "10.0.0.1") => _throttle.Begin(address, Now, Settings);

    [Fact]
    public void Five_failures_lock_the_pair_for_a_minute()
    {
        for (var i = 0; i < 5; i++) Assert.True(Attempt().Allowed);
        var locked = Attempt();
        Assert.False(locked.Allowed);
        Assert.True(locked.JustLocked);
        Assert.Equal(TimeSpan.FromSeconds(60), locked.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(Attempt().Allowed);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(Attempt().Allowed);
    }

    [Fact]
    public void Each_further_lock_doubles_up_to_the_maximum()
    {
        var expected = new[] { 60, 120, 240, 480, 900, 900 };
        foreach (var seconds in expected)
        {
            for (var i = 0; i < 5; i++) Assert.True(Attempt().Allowed);
            var locked = Attempt();
            Assert.Equal(TimeSpan.FromSeconds(seconds), locked.RetryAfter);
            _time.Advance(locked.RetryAfter);
        }
    }

    [Fact]
    public void A_success_resets_the_pair()
    {
        for (var i = 0; i < 4; i++) Attempt();
        _throttle.Succeeded("10.0.0.1");
        for (var i = 0; i < 5; i++) Assert.True(Attempt().Allowed);
        Assert.False(Attempt().Allowed);
    }

    [Fact]
    public void An_attacker_at_another_address_cannot_lock_the_user_out()
    {
        for (var i = 0; i < 6; i++) Attempt("203.0.113.7");
        Assert.False(Attempt("203.0.113.7").Allowed);
        Assert.True(Attempt("10.0.0.1").Allowed);
    }

    [Fact]
    public void Guesses_from_many_addresses_lock_the_name_for_everyone_after_the_user_threshold()
    {
        for (var i = 0; i < 50; i++) Assert.True(Attempt($"198.51.100.{i}").Allowed);
        var locked = Attempt("10.0.0.1");
        Assert.False(locked.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(900), locked.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(900));
        Assert.True(Attempt("10.0.0.1").Allowed);
    }

    [Fact]
    public void A_users_own_successful_logins_never_lock_the_name()
    {
        for (var i = 0; i < 200; i++)
        {
            Assert.True(Attempt().Allowed);
            _throttle.Succeeded("10.0.0.1");
        }
    }

    [Fact]
    public void Tracked_addresses_stay_bounded()
    {
        var settings = Settings with { LockoutUserThreshold = 10_000 };
        for (var i = 0; i < 5_000; i++) _throttle.Begin($"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}", Now, settings);
        Assert.Equal(LoginThrottle.MaxAddresses, _throttle.TrackedAddresses);
    }

    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("::ffff:192.0.2.10", "192.0.2.10")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("not an address", "unknown")]
    [InlineData(null, "unknown")]
    public void Addresses_count_as_IPv4_or_IPv6_64(string? address, string key)
    {
        Assert.Equal(key, ClientAddresses.Key(address));
    }
}
