using System.Collections.Concurrent;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// "Is this session active, is its user active": answered by the user grain and kept for the
/// tenant's <c>revocationLatencySeconds</c>, so a hot client costs one grain call per session
/// per interval and a revocation bites on every API node within that interval. Concurrent
/// requests for one session share a single grain call.
/// </summary>
public sealed class RevocationCache(IGrainFactory grains, TimeProvider time, IOptions<RevocationOptions> options)
{
    private readonly ConcurrentDictionary<(string Tenant, int UserId, string SessionId), Entry> _entries = new();

    public bool Enabled => options.Value.Enabled;

    public Task<SessionCheck> CheckAsync(string tenant, int userId, string sessionId, TimeSpan latency)
    {
        var key = (tenant, userId, sessionId);
        while (true)
        {
            var now = time.GetUtcNow();
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.ExpiresAt > now && !entry.Answer.Value.IsFaulted) return entry.Answer.Value;
                // Expired or failed: exactly one request replaces it and asks the grain.
                var renewed = NewEntry(key, now + latency);
                if (_entries.TryUpdate(key, renewed, entry)) return renewed.Answer.Value;
            }
            else
            {
                MakeRoom(now);
                var created = NewEntry(key, now + latency);
                if (_entries.TryAdd(key, created)) return created.Answer.Value;
            }
        }
    }

    // The grain is asked only by the request whose entry made it into the map; the others share its answer.
    private Entry NewEntry((string Tenant, int UserId, string SessionId) key, DateTimeOffset expiresAt) =>
        new(new Lazy<Task<SessionCheck>>(() => ClusterRetry.RunAsync(() => grains.GetGrain<IUserGrain>(GrainKeys.User(key.Tenant, key.UserId)).CheckSession(key.SessionId))), expiresAt);

    /// <summary>Forgets a session at once on this node (after a logout served here).</summary>
    public void Forget(string tenant, int userId, string sessionId) => _entries.TryRemove((tenant, userId, sessionId), out _);

    /// <summary>
    /// Forgets every session of a user on this node (after a password change, a deactivation or
    /// a deletion served here). A scan, but these are rare next to token checks.
    /// </summary>
    public void ForgetUser(string tenant, int userId)
    {
        foreach (var key in _entries.Keys)
        {
            if (key.UserId == userId && key.Tenant == tenant) _entries.TryRemove(key, out _);
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        if (_entries.Count < options.Value.MaxEntries) return;
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now) _entries.TryRemove(key, out _);
        }
        // Still full of live answers: drop an arbitrary half; they are re-asked on next use.
        if (_entries.Count >= options.Value.MaxEntries)
        {
            var drop = _entries.Count / 2;
            foreach (var key in _entries.Keys)
            {
                if (drop-- <= 0) break;
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed record Entry(Lazy<Task<SessionCheck>> Answer, DateTimeOffset ExpiresAt);
}
