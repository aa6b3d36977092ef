using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Sso;

namespace ItemPathOrleans.UnitTests.Grains.Sso;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class AcceptedIdTokensTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A token issued at <paramref name="issuedAt"/> that the API accepts for an hour and a minute of skew.</summary>
    private static IdTokenUse Use(string hash, DateTimeOffset issuedAt, Guid? request = null) =>
        new(issuedAt.ToUnixTimeSeconds(), hash, issuedAt.AddHours(1).AddMinutes(1).ToUnixTimeSeconds(), request ?? Guid.NewGuid());

    [Fact]
    public void A_token_is_accepted_once_and_the_same_request_again_is_not_a_replay()
    {
        var tokens = new AcceptedIdTokens([]);
        var first = Use("h1", T0);
        Assert.Equal(SsoLoginError.None, tokens.Accept(first, T0));
        Assert.Equal(SsoLoginError.Replayed, tokens.Accept(first with { RequestId = Guid.NewGuid() }, T0.AddSeconds(1)));
        // A call retried after a silo refused to forward it: the very same request.
        Assert.Equal(SsoLoginError.None, tokens.Accept(first, T0.AddSeconds(1)));
        Assert.Equal(SsoLoginError.None, tokens.Accept(Use("h2", T0), T0.AddSeconds(2)));
        Assert.Equal(2, tokens.Count);
    }

    [Fact]
    public void A_token_is_remembered_while_the_api_could_accept_it_and_forgotten_after()
    {
        var stored = new Dictionary<string, AcceptedIdToken>();
        var tokens = new AcceptedIdTokens(stored);
        var use = Use("h1", T0);
        tokens.Accept(use, T0);
        var acceptedUntil = DateTimeOffset.FromUnixTimeSeconds(use.AcceptedUntil);

        // Up to the last second the API accepts it, and a margin for clocks that differ: still a replay.
        Assert.Equal(SsoLoginError.Replayed, tokens.Accept(use with { RequestId = Guid.NewGuid() }, acceptedUntil + AcceptedIdTokens.ClockMargin));
        tokens.Prune(acceptedUntil + AcceptedIdTokens.ClockMargin + TimeSpan.FromSeconds(1));
        Assert.Empty(stored);
    }

    [Fact]
    public void Past_the_capacity_new_tokens_are_refused_and_none_is_forgotten_early()
    {
        var stored = new Dictionary<string, AcceptedIdToken>();
        var tokens = new AcceptedIdTokens(stored);
        for (var i = 0; i < AcceptedIdTokens.Capacity; i++) Assert.Equal(SsoLoginError.None, tokens.Accept(Use($"h{i}", T0.AddSeconds(i)), T0.AddSeconds(i)));

        var now = T0.AddMinutes(30);
        Assert.Equal(SsoLoginError.TooManySignIns, tokens.Accept(Use("extra", now), now));
        Assert.Equal(AcceptedIdTokens.Capacity, stored.Count);
        // Every token held is still refused a second use: nothing was dropped to make room.
        Assert.Equal(SsoLoginError.Replayed, tokens.Accept(Use("h0", T0), now));

        // Once the first ones expire, room is made.
        var later = DateTimeOffset.FromUnixTimeSeconds(Use("h0", T0).AcceptedUntil) + AcceptedIdTokens.ClockMargin + TimeSpan.FromSeconds(1);
        Assert.Equal(SsoLoginError.None, tokens.Accept(Use("extra", later), later));
        Assert.True(stored.Count <= AcceptedIdTokens.Capacity);
    }
}
