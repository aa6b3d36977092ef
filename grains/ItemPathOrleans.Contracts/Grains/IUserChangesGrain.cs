namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// Where every API node learns, in one call a second, which users changed: a user grain records
/// itself before it stores a change that the revocation check answers from (a session revoked,
/// the user deactivated, renamed or deleted, a password changed) and again after the write, and
/// each node's revocation cache asks for what was recorded since it last asked (<see cref="Since"/>).
/// A node keeps a session's answer past <c>revocationLatencySeconds</c> while no change of its user
/// is recorded after it was asked, so a node serving thousands of sessions asks their user grains
/// about once a minute instead of once per latency. One grain, key <see cref="Key"/>, held in
/// memory only: an activation starts a new <see cref="ChangedUsers.Epoch"/>, and a node that sees a
/// new epoch keeps no answer it asked for before (see <c>UserChangeFeed</c>).
/// </summary>
public interface IUserChangesGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>
    /// How long after asking a node keeps a session's answer at most, even while no change of its
    /// user is recorded: a change whose records were both lost (the changes grain and the user
    /// grain's silo lost together) applies within this, and the session's last-use time is
    /// refreshed as often.
    /// </summary>
    public static readonly TimeSpan KeepAtMost = TimeSpan.FromMinutes(1);

    /// <summary>Records that user <paramref name="userId"/> of <paramref name="tenant"/> is changing, or has just changed.</summary>
    Task Record(string tenant, int userId);

    /// <summary>
    /// The users recorded after <paramref name="sequence"/> of <paramref name="epoch"/>. When the
    /// epoch is not this activation's, or the log no longer holds every change after that sequence,
    /// none, with <see cref="ChangedUsers.Restart"/>: the caller keeps no answer it asked for before.
    /// </summary>
    [ReadOnly]
    Task<ChangedUsers> Since(Guid epoch, long sequence);
}

/// <summary>
/// An answer of <see cref="IUserChangesGrain.Since"/>: the users recorded after the caller's
/// sequence, up to <see cref="Sequence"/>, each once; or, with <see cref="Restart"/>, only where
/// the log stands (a new epoch, or a caller that fell further behind than the log holds).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ChangedUsers(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] bool Restart,
    [property: Id(3)] IReadOnlyList<UserKey> Users);

/// <summary>A user, cluster-wide: its tenant and its id there.</summary>
[GenerateSerializer, Immutable]
public readonly record struct UserKey([property: Id(0)] string Tenant, [property: Id(1)] int UserId);
