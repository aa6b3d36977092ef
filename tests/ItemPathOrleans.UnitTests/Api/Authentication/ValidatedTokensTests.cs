using System.Security.Claims;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.UnitTests.Api.Authentication;

/// <summary>
/// The verified-token memory at its bound: tokens in use stay remembered, a token that does not fit
/// is validated in full until one of them goes idle or expires, and a sweep runs at most once per
/// <see cref="ValidatedTokens.SweepInterval"/>.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ValidatedTokensTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly TenantInfo _tenant;
    private readonly ValidatedTokens _memory;
    private readonly string[] _tokens;

    public ValidatedTokensTests()
    {
        _tenant = new TenantInfo("acme", "Acme", false, _time.GetUtcNow(), TenantSettings.Default, [], "k1");
        _memory = new ValidatedTokens(_time, Options.Create(new ValidatedTokenOptions { MaxEntries = 4 }));
        var key = new SymmetricSecurityKey(new byte[32]) { KeyId = "k1" };
        _tokens = Enumerable.Range(0, 6).Select(i => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]),
            IssuedAt = _time.GetUtcNow().UtcDateTime,
            NotBefore = _time.GetUtcNow().UtcDateTime,
            // Tokens 4 and 5 outlive the others.
            Expires = _time.GetUtcNow().UtcDateTime.AddMinutes(i < 4 ? 15 : 60),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        })).ToArray();
    }

    private void Remember(int i) => _memory.Add(_tokens[i], new JsonWebToken(_tokens[i]), TokenFacts.Of(new JsonWebToken(_tokens[i])), [], new ClaimsIdentity("Bearer"), _tenant);

    private bool Remembered(int i) => _memory.Find(_tokens[i], _tenant) is not null;

    private void Present(params int[] tokens)
    {
        foreach (var i in tokens) Assert.True(Remembered(i), $"token {i} is remembered");
    }

    [Fact]
    public void Past_the_bound_the_tokens_in_use_stay_and_the_one_that_does_not_fit_is_not_kept()
    {
        for (var i = 0; i < 4; i++) Remember(i);
        // A working set of five over a bound of four, presented in turn for a few seconds.
        for (var second = 0; second < 3; second++)
        {
            Remember(4);
            Assert.False(Remembered(4));
            Present(0, 1, 2, 3);
            _time.Advance(ValidatedTokens.SweepInterval);
        }
        Assert.Equal(4, _memory.Count);
    }

    [Fact]
    public void Tokens_not_presented_since_the_last_sweep_make_room()
    {
        for (var i = 0; i < 4; i++) Remember(i);
        Remember(4);   // the first sweep: all four were just added, none is dropped
        Assert.False(Remembered(4));

        _time.Advance(ValidatedTokens.SweepInterval);
        Present(0, 1);
        Remember(4);   // 2 and 3 were not presented since that sweep
        Assert.True(Remembered(4));
        Assert.False(Remembered(2));
        Assert.False(Remembered(3));
        Remember(5);
        Present(0, 1, 4, 5);
        Assert.Equal(4, _memory.Count);
    }

    [Fact]
    public void A_full_memory_is_swept_at_most_once_per_interval()
    {
        for (var i = 0; i < 4; i++) Remember(i);
        Remember(4);   // a sweep: each of the four is marked idle
        // None is presented again, but the next sweep is not due yet: nothing makes room.
        Remember(4);
        Assert.False(Remembered(4));
        _time.Advance(ValidatedTokens.SweepInterval - TimeSpan.FromMilliseconds(1));
        Remember(4);
        Assert.False(Remembered(4));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Remember(4);
        Assert.True(Remembered(4));
        Assert.Equal(1, _memory.Count);
    }

    [Fact]
    public void Expired_tokens_make_room_even_in_use()
    {
        for (var i = 0; i < 4; i++) Remember(i);
        _time.Advance(TimeSpan.FromMinutes(20));
        Remember(4);   // a sweep: the four have expired, presented or not
        Assert.True(Remembered(4));
        Assert.Equal(1, _memory.Count);
        Assert.False(Remembered(0));
    }
}
