namespace ItemPathOrleans.Api.RateLimiting;

/// <summary>
/// A budget of failed logins per key (a client address) per fixed window, which starts at the
/// key's first attempt. An attempt is reserved before its password is checked and given back when
/// it did not fail, so at most <c>perWindow</c> checks of a key can fail in a window whatever the
/// concurrency: the framework's rate limiters cannot give a permit back.
/// Memory is bounded under hostile input: at most <c>maxKeys</c> keys are tracked, expired windows
/// are dropped as time passes, and keys beyond the bound share one overflow budget rather than
/// evicting a tracked key (eviction would hand that key a fresh budget).
/// </summary>
public sealed class FailedLoginBudget
{
    private readonly int _perWindow;
    private readonly long _windowTicks;
    private readonly int _maxKeys;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    // Windows in the order they started, so expired ones leave in O(1) each: a key's window
    // leaves with its entry, and the key's next attempt starts a new one.
    private readonly Queue<(string Key, Window Window)> _byStart = new();
    private readonly Window _overflow = new();
    private long _generations;

    public FailedLoginBudget(int perWindow, TimeSpan window, int maxKeys, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perWindow);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxKeys);
        _perWindow = perWindow;
        _windowTicks = (long)(window.TotalSeconds * time.TimestampFrequency);
        _maxKeys = maxKeys;
        _time = time;
    }

    /// <summary>Keys tracked now (the overflow budget aside).</summary>
    public int TrackedKeys
    {
        get { lock (_gate) return _windows.Count; }
    }

    /// <summary>Takes one attempt from the key's budget, or refuses with the wait until its window ends.</summary>
    public FailedLoginReservation Reserve(string key)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var window = Current(key, now);
            if (window.Used >= _perWindow) return FailedLoginReservation.Refused(RetryAfter(window, now));
            window.Used++;
            return FailedLoginReservation.Granted(this, window, window.Generation);
        }
    }

    /// <summary>Null while the key has attempts left; else how long until its window ends. Takes nothing.</summary>
    public TimeSpan? Refusal(string key)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var window = Current(key, now);
            return window.Used >= _perWindow ? RetryAfter(window, now) : null;
        }
    }

    /// <summary>Spends one attempt after the fact (a failure whose check did not reserve), while any is left.</summary>
    public void Spend(string key)
    {
        lock (_gate)
        {
            var window = Current(key, _time.GetTimestamp());
            if (window.Used < _perWindow) window.Used++;
        }
    }

    /// <summary>Returns a reserved attempt to the window it was taken from; nothing once that window has ended.</summary>
    internal void GiveBack(Window window, long generation)
    {
        lock (_gate)
        {
            if (window.Generation == generation && window.Used > 0) window.Used--;
        }
    }

    /// <summary>The key's live window: its own, a new one, or the shared overflow when no more keys fit.</summary>
    private Window Current(string key, long now)
    {
        DropExpired(now);
        // Expired windows are gone now: a key found has a live one.
        if (_windows.TryGetValue(key, out var window)) return window;
        if (_windows.Count >= _maxKeys)
        {
            if (Expired(_overflow, now)) Restart(_overflow, now);
            return _overflow;
        }
        window = new Window();
        Restart(window, now);
        _windows[key] = window;
        _byStart.Enqueue((key, window));
        return window;
    }

    private void DropExpired(long now)
    {
        while (_byStart.TryPeek(out var oldest) && Expired(oldest.Window, now))
        {
            _byStart.Dequeue();
            _windows.Remove(oldest.Key);
        }
    }

    private void Restart(Window window, long now)
    {
        window.Start = now;
        window.Used = 0;
        window.Generation = ++_generations;
    }

    private bool Expired(Window window, long now) => now - window.Start >= _windowTicks;

    private TimeSpan RetryAfter(Window window, long now) =>
        TimeSpan.FromSeconds((double)(window.Start + _windowTicks - now) / _time.TimestampFrequency);

    internal sealed class Window
    {
        public long Start;
        public int Used;
        /// <summary>Which window this is: a reservation gives back only to the one it was taken from.</summary>
        public long Generation;
    }
}
