namespace ItemPathOrleans.Grains.Lockout;

/// <summary>
/// Lockout counters of login names nobody holds, per silo, in a bounded least-recently-used map:
/// a flood of random names costs at most <see cref="Capacity"/> small entries, and the grain of an
/// unknown name is dropped right after each attempt instead of being kept in memory. Evicting
/// the counters of a name that does not exist only allows more guesses at nothing.
/// </summary>
public sealed class UnknownNameThrottles
{
    public const int Capacity = 50_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, LoginThrottle Throttle)>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, LoginThrottle Throttle)> _order = new();

    public int Count
    {
        get { lock (_gate) return _map.Count; }
    }

    /// <summary>The counters of one name (a grain key), created on first use.</summary>
    public LoginThrottle For(string nameKey)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(nameKey, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.Throttle;
            }
            if (_map.Count >= Capacity)
            {
                var oldest = _order.Last!;
                _order.RemoveLast();
                _map.Remove(oldest.Value.Key);
            }
            var created = _order.AddFirst((nameKey, new LoginThrottle()));
            _map[nameKey] = created;
            return created.Value.Throttle;
        }
    }
}
