using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Directory;

/// <summary>
/// The queryable copy of user profiles that serves lists, filters and totals. Grain state is
/// one opaque row per grain and cannot be queried; the user grain upserts here after each write.
/// </summary>
public interface IUserDirectory
{
    Task UpsertAsync(UserProfile user, CancellationToken cancellationToken = default);

    Task DeleteAsync(string tenant, int userId, CancellationToken cancellationToken = default);

    Task<UserPage> QueryAsync(string tenant, UserQuery query, CancellationToken cancellationToken = default);

    /// <summary>Whether the backing store answers (readiness).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}
