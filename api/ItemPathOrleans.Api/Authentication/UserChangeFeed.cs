using System.Collections.Concurrent;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// A node's view of <see cref="IUserChangesGrain"/>: which users changed, asked for about twice
/// per <see cref="MaxAge"/> while answers are being kept, so that a session's revocation answer
/// older than <c>revocationLatencySeconds</c> is kept without a call to its user grain while no
/// change of its user is recorded after the answer was asked for.
/// <para>
/// Why a kept answer is current: a user grain changes its memory first, then records itself, then
/// writes, then records again. An answer asked for after this node received a view that lists the
/// user was computed after the record, so after the change. An answer asked for before is dropped
/// as soon as the node receives that view. So a change applies here at most <see cref="MaxAge"/>
/// after its record (the view in use is never older), well within any tenant's latency (1 s at the
/// least). A user that changed is not vouched for at all for <see cref="IUserChangesGrain.KeepAtMost"/>
/// after the node learnt of it: its answers are asked for once per latency, as without this view,
/// so that an answer from a stale duplicate activation of its grain (during a membership change)
/// is not kept longer than before. A new epoch, or a log that no longer holds every change since
/// this node last asked, means changes may have been missed: answers asked for before the node
/// received that view are not kept. An answer is kept at most
/// <see cref="IUserChangesGrain.KeepAtMost"/> after it was asked for, so that a change whose both
/// records failed applies within that. Times are the node's
/// monotonic timestamps (<see cref="TimeProvider.GetTimestamp"/>): a step of the wall clock moves
/// none of these bounds. The node remembers at most <see cref="MaxRemembered"/> changed users; past
/// that it restarts as for a new epoch, so its memory stays bounded whatever the rate of changes.
/// </para>
/// When the changes grain does not answer, nothing is kept and every answer is asked for again
/// once older than the latency, as without this view: a request waits for an ask at most
/// <see cref="TenantCache.StaleWait"/>, never for one that has run longer.
/// </summary>
public sealed class UserChangeFeed
{
    /// <summary>The oldest view that still vouches for an answer: how late a recorded change may apply.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    /// <summary>A view this old is asked for again before it is stale, so that steady traffic rarely waits.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMilliseconds(500);

    /// <summary>Most changed users a node remembers at once.</summary>
    public const int MaxRemembered = 200_000;

    private readonly Func<Guid, long, Task<ChangedUsers>> _ask;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private volatile View? _view;
    private Task? _asking;
    private long? _askedAt;
    private long _trimmedAt;

    public UserChangeFeed(IGrainFactory grains, TimeProvider time)
        : this((epoch, sequence) => grains.GetGrain<IUserChangesGrain>(IUserChangesGrain.Key).Since(epoch, sequence), time)
    {
    }

    internal UserChangeFeed(Func<Guid, long, Task<ChangedUsers>> ask, TimeProvider time) => (_ask, _time, _trimmedAt) = (ask, time, time.GetTimestamp());

    /// <summary>
    /// Whether an answer about <paramref name="user"/> asked for at <paramref name="askedAt"/> (a
    /// timestamp of this node's <see cref="TimeProvider"/>) is still current.
    /// </summary>
    public async ValueTask<bool> VouchesForAsync(UserKey user, long askedAt)
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(askedAt, now) >= IUserChangesGrain.KeepAtMost) return false;
        var view = _view;
        if (view is null || _time.GetElapsedTime(view.AsOf, now) >= MaxAge)
        {
            if (Ask(now) is not { } asking) return false;
            try
            {
                await asking.WaitAsync(TenantCache.StaleWait, _time);
            }
            catch (Exception)
            {
                return false;
            }
            view = _view;
            now = _time.GetTimestamp();
            if (view is null || _time.GetElapsedTime(view.AsOf, now) >= MaxAge) return false;
        }
        else if (_time.GetElapsedTime(view.AsOf, now) >= RefreshAfter)
        {
            // Not waited for: this view is fresh enough for this request.
            _ = Ask(now);
        }
        return askedAt > view.Since
               && !(view.ChangedAt.TryGetValue(user, out var changedAt)
                    && (changedAt >= askedAt || _time.GetElapsedTime(changedAt, now) < IUserChangesGrain.KeepAtMost));
    }

    /// <summary>The ask in flight if it is young enough to wait for, or a new one if the last is older than <see cref="RefreshAfter"/>; else null.</summary>
    private Task? Ask(long now)
    {
        lock (_lock)
        {
            if (_asking is { IsCompleted: false }) return _time.GetElapsedTime(_askedAt!.Value, now) < TenantCache.StaleWait ? _asking : null;
            // A successful ask that young left a fresh view; a failed one waits its turn.
            if (_askedAt is { } last && _time.GetElapsedTime(last, now) < RefreshAfter) return null;
            _askedAt = now;
            return _asking = Task.Run(() => AskAsync(now));
        }
    }

    private async Task AskAsync(long askedAt)
    {
        var view = _view;
        var changes = await _ask(view?.Epoch ?? Guid.Empty, view?.Sequence ?? 0);
        var received = _time.GetTimestamp();
        if (view is null || changes.Restart || changes.Epoch != view.Epoch || view.ChangedAt.Count + changes.Users.Count > MaxRemembered)
        {
            // Changes may have been missed (or are too many to remember): no answer asked for
            // before now is kept, so none of the marks so far is needed. A new set of marks, with
            // the view that needs it, so a reader never pairs a view with another view's marks.
            _view = new View(changes.Epoch, changes.Sequence, received, askedAt, new ConcurrentDictionary<UserKey, long>());
            _trimmedAt = received;
            return;
        }
        // Marked before the view is published: a reader of the new view sees every mark it brings.
        foreach (var user in changes.Users) view.ChangedAt[user] = received;
        _view = view with { Sequence = changes.Sequence, AsOf = askedAt };
        Trim(view.ChangedAt, received);
    }

    /// <summary>
    /// Drops, once per <see cref="IUserChangesGrain.KeepAtMost"/>, the marks of changes received
    /// more than that ago: every answer asked for before them is that old, and no longer kept anyway.
    /// </summary>
    private void Trim(ConcurrentDictionary<UserKey, long> changedAt, long now)
    {
        if (_time.GetElapsedTime(_trimmedAt, now) < IUserChangesGrain.KeepAtMost) return;
        _trimmedAt = now;
        foreach (var (user, at) in changedAt)
        {
            if (_time.GetElapsedTime(at, now) > IUserChangesGrain.KeepAtMost) changedAt.TryRemove(new KeyValuePair<UserKey, long>(user, at));
        }
    }

    /// <summary>The ask in flight, if any (for tests that move the clock only once it has landed).</summary>
    internal Task Settled
    {
        get
        {
            lock (_lock) return _asking ?? Task.CompletedTask;
        }
    }

    /// <summary>How many changed users this node remembers.</summary>
    internal int RememberedChanges => _view?.ChangedAt.Count ?? 0;

    /// <param name="Since">When the node received the first view of this epoch (or the restart): answers asked for before are not kept.</param>
    /// <param name="AsOf">When the node sent the ask this view answers: every change recorded before then is in it.</param>
    /// <param name="ChangedAt">When the node received the view that first listed each user's last change; shared by the views of one run.</param>
    private sealed record View(Guid Epoch, long Sequence, long Since, long AsOf, ConcurrentDictionary<UserKey, long> ChangedAt);
}
