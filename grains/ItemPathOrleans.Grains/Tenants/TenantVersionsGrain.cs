using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Grains.Tenants;

/// <summary>
/// The versions tenant grains record, in memory (see <see cref="ITenantVersionsGrain"/>). Never
/// collected while its silo runs: a new activation is a new epoch, after which every node fetches
/// each of its tenant copies once more.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class TenantVersionsGrain : Grain, ITenantVersionsGrain
{
    private readonly TenantVersionLog _log = new();

    public Task Record(string tenant, int version)
    {
        _log.Record(tenant, version);
        return Task.CompletedTask;
    }

    public Task<TenantVersionChanges> Since(Guid epoch, long sequence) => Task.FromResult(_log.Since(epoch, sequence));
}

/// <summary>
/// The latest recorded version of each tenant, in the order recorded: a tenant recorded again
/// moves to the end, so the changes after a sequence are read from the end, in time proportional to
/// their number, and the log holds one entry per tenant however often tenants change.
/// </summary>
public sealed class TenantVersionLog
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _byTenant = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _byOrder = new();
    private long _sequence;

    /// <summary>Names this log: a new one (a reactivation) never passes for an older one.</summary>
    public Guid Epoch { get; } = Guid.NewGuid();

    public void Record(string tenant, int version)
    {
        if (_byTenant.TryGetValue(tenant, out var recorded))
        {
            if (recorded.Value.Version >= version) return;
            _byOrder.Remove(recorded);
        }
        _byTenant[tenant] = _byOrder.AddLast(new Entry(tenant, version, ++_sequence));
    }

    public TenantVersionChanges Since(Guid epoch, long sequence)
    {
        var whole = epoch != Epoch || sequence > _sequence;
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var node = _byOrder.Last; node is not null && (whole || node.Value.Sequence > sequence); node = node.Previous)
            versions[node.Value.Tenant] = node.Value.Version;
        return new TenantVersionChanges(Epoch, _sequence, whole, versions);
    }

    private readonly record struct Entry(string Tenant, int Version, long Sequence);
}
