namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// Where every node learns, in one call a second, which tenants changed: a tenant grain records
/// the <see cref="Model.TenantInfo.Version"/> it is about to store before its write and again
/// after it, and each node's tenant cache asks for what was recorded since it last asked
/// (<see cref="Since"/>). A copy at the recorded version or newer is current, so a node serving
/// requests spread over thousands of tenants asks no tenant grain while nothing changes. One
/// grain, key <see cref="Key"/>, held in memory only: an activation starts a new
/// <see cref="TenantVersionChanges.Epoch"/>, and a node that sees a new epoch trusts none of the
/// copies it loaded before (see <c>TenantVersionFeed</c>).
/// </summary>
public interface ITenantVersionsGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Records that <paramref name="tenant"/> is at, or about to be at, <paramref name="version"/> (a lower version than recorded is ignored).</summary>
    Task Record(string tenant, int version);

    /// <summary>
    /// The versions recorded after <paramref name="sequence"/> of <paramref name="epoch"/>; every
    /// version this activation recorded when the epoch is not its own (a node's first call, or this grain reactivated).
    /// </summary>
    [ReadOnly]
    Task<TenantVersionChanges> Since(Guid epoch, long sequence);
}

/// <summary>
/// An answer of <see cref="ITenantVersionsGrain.Since"/>: the latest version recorded for each
/// tenant that changed, up to <see cref="Sequence"/>; <see cref="Whole"/> when it holds every
/// version of the epoch rather than the changes after the caller's sequence.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantVersionChanges(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] bool Whole,
    [property: Id(3)] IReadOnlyDictionary<string, int> Versions);
