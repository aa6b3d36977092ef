using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>
/// Counts calls made through an <see cref="IGrainFactory"/> to user grains, by method and first
/// argument (the session id for <see cref="IUserGrain.CheckSession"/>). Test-only decoration.
/// </summary>
public sealed class GrainCallCounter
{
    private readonly ConcurrentDictionary<(string Method, string? Argument), int> _calls = new();
    private readonly ManualResetEventSlim _secondCheck = new();
    private TimeSpan _hold;

    public int Count(string method, string argument) => _calls.GetValueOrDefault((method, argument));

    /// <summary>Every user grain call seen, whatever its method.</summary>
    public int Total => _calls.Values.Sum();

    /// <summary>
    /// From now on, the first <see cref="IUserGrain.CheckSession"/> of a session blocks its
    /// caller (inside the cache's lookup) until another check of that session starts or
    /// <paramref name="atMost"/> has passed: it widens the window in which concurrent requests
    /// could miss the cache, without changing what a correct cache answers.
    /// </summary>
    public void HoldFirstCheck(TimeSpan atMost) => _hold = atMost;

    public IGrainFactory Wrap(IGrainFactory inner)
    {
        var proxy = DispatchProxy.Create<IGrainFactory, Decorator>();
        ((Decorator)(object)proxy).Init(inner, result => result is IUserGrain user ? WrapUser(user) : result);
        return proxy;
    }

    private IUserGrain WrapUser(IUserGrain inner)
    {
        var proxy = DispatchProxy.Create<IUserGrain, Decorator>();
        ((Decorator)(object)proxy).Init(inner, result => result, Seen);
        return proxy;
    }

    private void Seen(MethodInfo method, object?[]? args)
    {
        var calls = _calls.AddOrUpdate((method.Name, args is [string first, ..] ? first : null), 1, (_, n) => n + 1);
        if (method.Name != nameof(IUserGrain.CheckSession) || _hold <= TimeSpan.Zero) return;
        if (calls == 1) _secondCheck.Wait(_hold);
        else _secondCheck.Set();
    }

    /// <summary>Forwards every call to the inner object; sees the call and maps the result.</summary>
    public class Decorator : DispatchProxy
    {
        private object _inner = null!;
        private Func<object?, object?> _map = r => r;
        private Action<MethodInfo, object?[]?>? _seen;

        public void Init(object inner, Func<object?, object?> map, Action<MethodInfo, object?[]?>? seen = null)
        {
            _inner = inner;
            _map = map;
            _seen = seen;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _seen?.Invoke(targetMethod!, args);
            try
            {
                return _map(targetMethod!.Invoke(_inner, args));
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }
    }
}
