using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// The users that user grains record as changing, in memory (see <see cref="IUserChangesGrain"/>).
/// Never collected while its silo runs: a new activation is a new epoch, after which every node
/// asks each session's user grain once more.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class UserChangesGrain(TimeProvider time) : Grain, IUserChangesGrain
{
    private readonly UserChangeLog _log = new();

    public Task Record(string tenant, int userId)
    {
        _log.Record(new UserKey(tenant, userId), time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<ChangedUsers> Since(Guid epoch, long sequence) => Task.FromResult(_log.Since(epoch, sequence));
}

/// <summary>
/// The users recorded, in order, each change kept for <see cref="Retention"/> and at most
/// <see cref="MaxEntries"/> of them: memory stays bounded however often users change. A node asks
/// about once a second; one that asks after a longer pause than the log holds is told to restart
/// (keep none of the answers it asked for before), never given a partial list.
/// </summary>
public sealed class UserChangeLog
{
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(2);
    public const int MaxEntries = 200_000;

    private readonly List<Entry> _entries = [];
    private int _head;
    private long _sequence;

    /// <summary>Names this log: a new one (a reactivation) never passes for an older one.</summary>
    public Guid Epoch { get; } = Guid.NewGuid();

    public void Record(UserKey user, DateTimeOffset now)
    {
        _entries.Add(new Entry(user, ++_sequence, now));
        while (_head < _entries.Count && (_entries.Count - _head > MaxEntries || now - _entries[_head].At > Retention)) _head++;
        if (_head > 1024 && _head > _entries.Count / 2)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }
    }

    public ChangedUsers Since(Guid epoch, long sequence)
    {
        // The sequence of the oldest change held; every change after `sequence` is held when it is at most one past it.
        var oldest = _head < _entries.Count ? _entries[_head].Sequence : _sequence + 1;
        if (epoch != Epoch || sequence > _sequence || sequence < oldest - 1) return new ChangedUsers(Epoch, _sequence, Restart: true, []);
        var users = new HashSet<UserKey>();
        for (var i = _head + (int)(sequence + 1 - oldest); i < _entries.Count; i++) users.Add(_entries[i].User);
        return new ChangedUsers(Epoch, _sequence, Restart: false, [.. users]);
    }

    private readonly record struct Entry(UserKey User, long Sequence, DateTimeOffset At);
}
