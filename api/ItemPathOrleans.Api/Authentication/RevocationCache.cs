using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// "Is this session active, is its user active" (answered by the user grain), and "is this client
/// active, since when do its tokens count, which of them are revoked" (answered by the client
/// grain), each kept for the tenant's <c>revocationLatencySeconds</c>: a hot client costs one grain
/// call per session (or per registered client) per interval, and a revocation, a deactivation, a
/// client's disabling or deletion bites on every API node within that interval. Concurrent
/// requests for one key share a single grain call. A session's answer is kept past the interval
/// while the node's <see cref="UserChangeFeed"/> records no change of its user since it was asked
/// for (at most <see cref="IUserChangesGrain.KeepAtMost"/>, and never past the session's own end):
/// sessions spread over many users cost their user grains a call about once a minute, not once
/// per interval. Answers are kept without the refresh token's id, which changes unannounced.
/// </summary>
public sealed class RevocationCache
{
    private readonly IGrainFactory _grains;
    private readonly IOptions<RevocationOptions> _options;
    private readonly TimeProvider _time;
    private readonly UserChangeFeed _changes;
    private readonly CachedAnswers<(string Tenant, int UserId, string SessionId), SessionCheck> _sessions;
    private readonly CachedAnswers<(string Tenant, string ClientId), ClientCheck> _clients;

    public RevocationCache(IGrainFactory grains, TimeProvider time, IOptions<RevocationOptions> options)
    {
        (_grains, _options, _time) = (grains, options, time);
        _changes = new UserChangeFeed(grains, time);
        _sessions = new(time, () => options.Value.MaxEntries);
        _clients = new(time, () => options.Value.MaxEntries);
    }

    public bool Enabled => _options.Value.Enabled;

    public ValueTask<SessionCheck> CheckAsync(string tenant, int userId, string sessionId, TimeSpan latency)
    {
        var key = (tenant, userId, sessionId);
        return _sessions.TryGetCurrent(key, out var current) ? new ValueTask<SessionCheck>(current) : CheckPastLatencyAsync(key, latency);
    }

    private async ValueTask<SessionCheck> CheckPastLatencyAsync((string Tenant, int UserId, string SessionId) key, TimeSpan latency)
    {
        if (_options.Value.KeepUnchanged
            && _sessions.TryGetPast(key, out var kept, out var askedAt)
            && (kept.ExpiresAt is not { } end || end > _time.GetUtcNow())
            && await _changes.VouchesForAsync(new UserKey(key.Tenant, key.UserId), askedAt))
            return kept;
        return await _sessions.GetAsync(key, latency, AskSessionAsync);
    }

    private async Task<SessionCheck> AskSessionAsync((string Tenant, int UserId, string SessionId) key) =>
        await ClusterRetry.RunAsync(() => _grains.User(key.Tenant, key.UserId).CheckSession(key.SessionId)) with { CurrentRefreshJti = null };

    public Task<ClientCheck> CheckClientAsync(string tenant, string clientId, TimeSpan latency) =>
        _clients.GetAsync((tenant, clientId), latency,
            key => ClusterRetry.RunAsync(() => _grains.Client(key.Tenant, key.ClientId).Check()));

    /// <summary>Forgets a session at once on this node (after a logout served here).</summary>
    public void Forget(string tenant, int userId, string sessionId) => _sessions.Forget((tenant, userId, sessionId));

    /// <summary>
    /// Forgets every session of a user on this node (after a password change, a deactivation or
    /// a deletion served here).
    /// </summary>
    public void ForgetUser(string tenant, int userId) => _sessions.ForgetWhere(key => key.UserId == userId && key.Tenant == tenant);

    /// <summary>Forgets a client at once on this node (after a change, a deletion or a token revocation served here).</summary>
    public void ForgetClient(string tenant, string clientId) => _clients.Forget((tenant, clientId));
}
