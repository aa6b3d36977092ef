namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// A client's <c>rateLimitPerMinute</c>: a fixed one-minute window counted in the client grain's
/// memory (one activation per client, so one counter; a new activation starts a new window).
/// </summary>
public sealed class ClientQuota
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _used;

    /// <summary>Takes one request of the window; false with the wait until the next window when none is left.</summary>
    public bool TryTake(int perMinute, DateTimeOffset now, out TimeSpan retryAfter)
    {
        if (now - _windowStart >= Window || now < _windowStart)
        {
            _windowStart = now;
            _used = 0;
        }
        retryAfter = _windowStart + Window - now;
        if (_used >= perMinute) return false;
        _used++;
        return true;
    }
}
