using System.Collections.Concurrent;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// Answers of the cluster kept for a while, bounded in number: concurrent requests for one key
/// share a single call, an expired or failed answer is replaced by exactly one request, and past
/// <c>maxEntries</c> expired answers go first, then an arbitrary half (they are asked again on
/// next use). The two kinds of <see cref="RevocationCache"/> answers each keep one. An answer past
/// its lifetime stays until renewed or made room for: a caller that can vouch for it longer reads
/// it with <see cref="TryGetPast"/>.
/// </summary>
public sealed class CachedAnswers<TKey, TAnswer>(TimeProvider time, Func<int> maxEntries) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    public Task<TAnswer> GetAsync(TKey key, TimeSpan lifetime, Func<TKey, Task<TAnswer>> ask)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            if (_entries.TryGetValue(key, out var entry))
            {
                if (IsCurrent(entry, now)) return entry.Answer.Value;
                var renewed = NewEntry(key, now, lifetime, ask);
                if (_entries.TryUpdate(key, renewed, entry)) return renewed.Answer.Value;
            }
            else
            {
                MakeRoom(now);
                var created = NewEntry(key, now, lifetime, ask);
                if (_entries.TryAdd(key, created)) return created.Answer.Value;
            }
        }
    }

    /// <summary>Within its lifetime, and not failed (a failed answer is asked again at once).</summary>
    private static bool IsCurrent(Entry entry, DateTimeOffset now) => entry.ExpiresAt > now && !entry.Answer.Value.IsFaulted;

    // Only the request whose entry made it into the map asks; the others share its answer.
    private Entry NewEntry(TKey key, DateTimeOffset now, TimeSpan lifetime, Func<TKey, Task<TAnswer>> ask) =>
        new(new Lazy<Task<TAnswer>>(() => ask(key)), now + lifetime, time.GetTimestamp());

    /// <summary>The answer for <paramref name="key"/> if one is within its lifetime (answered or being asked for), without asking.</summary>
    public bool TryGetCurrent(TKey key, out Task<TAnswer> answer)
    {
        if (_entries.TryGetValue(key, out var entry) && IsCurrent(entry, time.GetUtcNow()))
        {
            answer = entry.Answer.Value;
            return true;
        }
        answer = null!;
        return false;
    }

    /// <summary>
    /// An answer past its lifetime, and when it was asked for (a timestamp of the
    /// <see cref="TimeProvider"/>, no later than the call that answered it was made): for a caller
    /// that can tell whether it is still current.
    /// </summary>
    public bool TryGetPast(TKey key, out TAnswer answer, out long askedAt)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Answer.IsValueCreated && entry.Answer.Value.IsCompletedSuccessfully)
        {
            (answer, askedAt) = (entry.Answer.Value.Result, entry.AskedAt);
            return true;
        }
        (answer, askedAt) = (default!, default);
        return false;
    }

    public void Forget(TKey key) => _entries.TryRemove(key, out _);

    /// <summary>Forgets every answer whose key matches: a scan, for changes that are rare next to checks.</summary>
    public void ForgetWhere(Func<TKey, bool> matches)
    {
        foreach (var key in _entries.Keys)
        {
            if (matches(key)) _entries.TryRemove(key, out _);
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        var max = maxEntries();
        if (_entries.Count < max) return;
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now) _entries.TryRemove(key, out _);
        }
        if (_entries.Count >= max)
        {
            var drop = _entries.Count / 2;
            foreach (var key in _entries.Keys)
            {
                if (drop-- <= 0) break;
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <param name="AskedAt">When the entry was made (a monotonic timestamp): its one call is made after that.</param>
    private sealed record Entry(Lazy<Task<TAnswer>> Answer, DateTimeOffset ExpiresAt, long AskedAt);
}
