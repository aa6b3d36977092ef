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

    /// <summary>Readiness: the cluster answered this call and the database answers a query.</summary>
    Task<bool> IsStorageReady();
}
