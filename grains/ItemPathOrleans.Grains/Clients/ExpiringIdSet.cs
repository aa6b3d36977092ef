namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// A bounded set of ids, each kept until its expiry (Unix seconds): the <c>jti</c>s of
/// <c>private_key_jwt</c> assertions already used (an assertion lives at most five minutes), and
/// those of a client's revoked access tokens (until the token would have expired anyway). Expired
/// ids are dropped on every change, so the set holds only what can still matter; past
/// <see cref="Capacity"/> live ids a new one is refused rather than an old one forgotten.
/// </summary>
public sealed class ExpiringIdSet(Dictionary<string, long> ids, int capacity)
{
    public int Capacity => capacity;

    public bool Contains(string id, long now) => ids.TryGetValue(id, out var expiresAt) && expiresAt >= now;

    /// <summary>Adds an id until <paramref name="expiresAt"/>. False when it is already there (a replay) or no room is left.</summary>
    public bool TryAdd(string id, long expiresAt, long now)
    {
        Prune(now);
        if (ids.ContainsKey(id) || ids.Count >= capacity) return false;
        ids[id] = expiresAt;
        return true;
    }

    /// <summary>The ids not yet expired.</summary>
    public IEnumerable<string> Live(long now) => ids.Where(e => e.Value >= now).Select(e => e.Key);

    public void Prune(long now)
    {
        foreach (var (id, expiresAt) in ids)
        {
            if (expiresAt < now) ids.Remove(id);
        }
    }
}
