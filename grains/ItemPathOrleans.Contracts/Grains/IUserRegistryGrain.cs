using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// Stateless orchestration of user administration across the tenant, unique-name and user
/// grains, and the user directory that serves lists.
/// </summary>
public interface IUserRegistryGrain : IGrainWithIntegerKey
{
    Task<UserChangeResult> CreateUser(string tenant, NewUser user);

    Task<UserChangeResult> UpdateUser(string tenant, int userId, UserChanges changes);

    Task<UserChangeError> DeleteUser(string tenant, int userId);

    Task<UserPage> ListUsers(string tenant, UserQuery query);

    /// <summary>
    /// Break-glass, for operators only (never reachable over HTTP): sets <paramref name="password"/>
    /// for the active admin named <paramref name="username"/>, ends every session and application
    /// token of that admin, lifts its lockout, and records a security event.
    /// </summary>
    Task<UserChangeResult> ResetAdminPassword(string tenant, string username, string password);

    /// <summary>A user's security events, newest first.</summary>
    Task<SecurityEventPage> ListEvents(string tenant, int userId, int limit, int page);

    /// <summary>Readiness: the cluster answered this call and the database answers a query.</summary>
    Task<bool> IsStorageReady();
}

[GenerateSerializer, Immutable]
public sealed record SecurityEventInfo(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Address,
    [property: Id(3)] string? Detail);

[GenerateSerializer, Immutable]
public sealed record SecurityEventPage(
    [property: Id(0)] IReadOnlyList<SecurityEventInfo> Events,
    [property: Id(1)] int Total);
