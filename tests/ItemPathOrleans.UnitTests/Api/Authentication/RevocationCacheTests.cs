using System.Reflection;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Users;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.UnitTests.Api.Authentication;

/// <summary>
/// The revocation cache over scripted grains: a session's answer kept past the latency while its
/// user does not change is never kept past the session's own end, and is kept without the refresh
/// token's id (which rotation changes unannounced). The node's clock is a FakeTimeProvider.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class RevocationCacheTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly UserChangeLog _log = new();
    private Func<SessionCheck> _answer = () => SessionCheck.Unknown;
    private int _checks;

    /// <summary>A cache whose view of the user changes is under way (another user's session checked past the latency), its calls so far not counted.</summary>
    private async Task<RevocationCache> ServingCacheAsync()
    {
        var cache = new RevocationCache(Grains.For(this), _time, Options.Create(new RevocationOptions()));
        _answer = () => new SessionCheck(true, true, SessionKinds.Login, false, null);
        await cache.CheckAsync("acme", 1, "s0", Latency);
        _time.Advance(TimeSpan.FromSeconds(6));
        await cache.CheckAsync("acme", 1, "s0", Latency);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _checks = 0;
        return cache;
    }

    [Fact]
    public async Task An_answer_kept_past_the_latency_is_asked_for_again_once_the_session_reaches_its_end()
    {
        var cache = await ServingCacheAsync();
        var end = _time.GetUtcNow() + TimeSpan.FromSeconds(20);
        _answer = () => new SessionCheck(true, _time.GetUtcNow() < end, SessionKinds.Login, false, "jti-1", ExpiresAt: end);

        Assert.True((await cache.CheckAsync("acme", 7, "s1", Latency)).SessionActive);
        // Past the latency, and nothing recorded of user 7: kept.
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(6));
            Assert.True((await cache.CheckAsync("acme", 7, "s1", Latency)).SessionActive);
        }
        Assert.Equal(1, _checks);

        // 24 s after the answer, past the session's end: the grain is asked, and says so.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.False((await cache.CheckAsync("acme", 7, "s1", Latency)).SessionActive);
        Assert.Equal(2, _checks);
    }

    [Fact]
    public async Task A_kept_answer_carries_no_refresh_token_id()
    {
        var cache = await ServingCacheAsync();
        _answer = () => new SessionCheck(true, true, SessionKinds.Login, false, "jti-1");

        Assert.Null((await cache.CheckAsync("acme", 7, "s1", Latency)).CurrentRefreshJti);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Null((await cache.CheckAsync("acme", 7, "s1", Latency)).CurrentRefreshJti);
    }

    /// <summary>Grain references without a cluster: user grains answer <see cref="_answer"/>, the changes grain is <see cref="_log"/>.</summary>
    public class Grains : DispatchProxy
    {
        private RevocationCacheTests _test = null!;

        internal static IGrainFactory For(RevocationCacheTests test)
        {
            var factory = Create<IGrainFactory, Grains>();
            ((Grains)(object)factory)._test = test;
            return factory;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            var type = method is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } ? method.GetGenericArguments()[0] : null;
            if (type == typeof(IUserGrain)) return Grain<IUserGrain>(nameof(IUserGrain.CheckSession), _ =>
            {
                Interlocked.Increment(ref _test._checks);
                return Task.FromResult(_test._answer());
            });
            if (type == typeof(IUserChangesGrain))
                return Grain<IUserChangesGrain>(nameof(IUserChangesGrain.Since), since => Task.FromResult(_test._log.Since((Guid)since[0]!, (long)since[1]!)));
            throw new NotSupportedException($"{method?.Name}<{type?.Name}> is not scripted");
        }

        private static T Grain<T>(string methodName, Func<object?[], object> answer) where T : class
        {
            var grain = Create<T, ScriptedGrain>();
            ((ScriptedGrain)(object)grain).Script = (name, args) =>
                name == methodName ? answer(args) : throw new NotSupportedException($"{typeof(T).Name}.{name} is not scripted");
            return grain;
        }
    }

    /// <summary>A grain whose one scripted method answers through <see cref="Script"/>.</summary>
    public class ScriptedGrain : DispatchProxy
    {
        public Func<string, object?[], object> Script { get; set; } = (_, _) => throw new NotSupportedException();

        protected override object? Invoke(MethodInfo? method, object?[]? args) => Script(method!.Name, args ?? []);
    }
}
