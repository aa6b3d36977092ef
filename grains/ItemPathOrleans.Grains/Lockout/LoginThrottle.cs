using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Lockout;

/// <summary>The answer to "may this login attempt run?": allowed, or locked for a while.</summary>
public readonly record struct ThrottleDecision(bool Allowed, TimeSpan RetryAfter, bool JustLocked)
{
    public static ThrottleDecision Allow { get; } = new(true, TimeSpan.Zero, false);
    public static ThrottleDecision Locked(TimeSpan retryAfter, bool justLocked = false) => new(false, retryAfter, justLocked);
}

/// <summary>
/// Lockout for one login name, as a plain class its grain calls before any hash runs. Failures
/// count per (name, client address): <c>lockoutThreshold</c> consecutive ones lock that pair for
/// <c>lockoutBaseSeconds</c>, doubling on each further lock up to <c>lockoutMaxSeconds</c>; a
/// success resets the pair, so an attacker at another address cannot lock the user out. Against
/// guessing from many addresses the name also locks for everyone once
/// <c>lockoutUserThreshold</c> failures fall within <c>lockoutUserWindowSeconds</c>.
/// An attempt is counted when it starts (before its hash), so parallel guesses cannot run more
/// hashes than the threshold; a success takes its count back. Memory is bounded.
/// </summary>
public sealed class LoginThrottle
{
    /// <summary>Most client addresses tracked per name; the least recently seen unlocked ones go first.</summary>
    public const int MaxAddresses = 1024;

    private readonly Dictionary<string, Pair> _pairs = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _recentFailures = new();

    public int TrackedAddresses => _pairs.Count;

    /// <summary>Decides, and counts the attempt when it may run.</summary>
    public ThrottleDecision Begin(string address, DateTimeOffset now, TenantSettings settings)
    {
        var window = TimeSpan.FromSeconds(settings.LockoutUserWindowSeconds);
        while (_recentFailures.TryPeek(out var oldest) && now - oldest >= window) _recentFailures.Dequeue();
        if (_recentFailures.Count >= settings.LockoutUserThreshold)
            return ThrottleDecision.Locked(_recentFailures.Peek() + window - now);

        var pair = Find(address, now);
        if (pair.LockedUntil > now) return ThrottleDecision.Locked(pair.LockedUntil.Value - now);
        if (pair.Consecutive >= settings.LockoutThreshold)
        {
            pair.Locks++;
            var seconds = Math.Min((double)settings.LockoutBaseSeconds * Math.Pow(2, pair.Locks - 1), settings.LockoutMaxSeconds);
            pair.LockedUntil = now + TimeSpan.FromSeconds(seconds);
            pair.Consecutive = 0;
            return ThrottleDecision.Locked(pair.LockedUntil.Value - now, justLocked: true);
        }

        pair.Consecutive++;
        _recentFailures.Enqueue(now);
        return ThrottleDecision.Allow;
    }

    /// <summary>The attempt succeeded: its pair starts afresh and its count is taken back.</summary>
    /// <summary>Forgets every failure and lock (an operator reset the password).</summary>
    public void Reset()
    {
        _pairs.Clear();
        _recentFailures.Clear();
    }

    public void Succeeded(string address)
    {
        _pairs.Remove(address);
        // Give back the newest counted attempt: a user's own logins never lock the name.
        if (_recentFailures.Count > 0)
        {
            var kept = _recentFailures.ToArray()[..^1];
            _recentFailures.Clear();
            foreach (var at in kept) _recentFailures.Enqueue(at);
        }
    }

    private Pair Find(string address, DateTimeOffset now)
    {
        if (_pairs.TryGetValue(address, out var pair))
        {
            pair.LastSeen = now;
            return pair;
        }
        if (_pairs.Count >= MaxAddresses)
        {
            var evict = _pairs.OrderBy(p => p.Value.LockedUntil > now).ThenBy(p => p.Value.LastSeen).First().Key;
            _pairs.Remove(evict);
        }
        pair = new Pair { LastSeen = now };
        _pairs[address] = pair;
        return pair;
    }

    private sealed class Pair
    {
        public int Consecutive;
        public int Locks;
        public DateTimeOffset? LockedUntil;
        public DateTimeOffset LastSeen;
    }
}
