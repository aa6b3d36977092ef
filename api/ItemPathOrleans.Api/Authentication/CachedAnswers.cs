using System.Collections.Concurrent;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// Answers of the cluster kept for a while, bounded in number: concurrent requests for one key
/// share a single call, an expired or failed answer is replaced by exactly one request, and past
/// <c>maxEntries</c> expired answers go first, then an arbitrary half (they are asked again on
/// next use). The two kinds of <see cref="RevocationCache"/> answers each keep one.
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
                if (entry.ExpiresAt > now && !entry.Answer.Value.IsFaulted) return entry.Answer.Value;
                var renewed = NewEntry(key, now + lifetime, ask);
                if (_entries.TryUpdate(key, renewed, entry)) return renewed.Answer.Value;
            }
            else
            {
                MakeRoom(now);
                var created = NewEntry(key, now + lifetime, ask);
                if (_entries.TryAdd(key, created)) return created.Answer.Value;
            }
        }
    }

    // Only the request whose entry made it into the map asks; the others share its answer.
    private static Entry NewEntry(TKey key, DateTimeOffset expiresAt, Func<TKey, Task<TAnswer>> ask) =>
        new(new Lazy<Task<TAnswer>>(() => ask(key)), expiresAt);

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

    private sealed record Entry(Lazy<Task<TAnswer>> Answer, DateTimeOffset ExpiresAt);
}
