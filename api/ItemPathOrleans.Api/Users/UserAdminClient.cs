using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Users;

/// <summary>
/// The cluster calls of the admin users API, for one tenant's admins: the user registry and the
/// user grains, reads retried, a cluster that does not answer a 503 (<see cref="ClusterCalls"/>),
/// and every change that ends sessions (a new password, a deactivation, a deletion, a revocation)
/// forgotten at once by this node's revocation cache.
/// </summary>
public sealed class UserAdminClient(IGrainFactory grains, RevocationCache revocations)
{
    public Task<UserPage> ListAsync(string tenant, UserQuery query) => ClusterCalls.RepeatableAsync(() => grains.UserRegistry().ListUsers(tenant, query));

    public Task<UserChangeResult> CreateAsync(string tenant, NewUser user) => ClusterCalls.OnceAsync(() => grains.UserRegistry().CreateUser(tenant, user));

    public Task<UserProfile?> FindAsync(string tenant, int id) => ClusterCalls.RepeatableAsync(() => grains.User(tenant, id).GetProfile());

    public async Task<UserChangeResult> UpdateAsync(string tenant, int id, UserChanges changes)
    {
        var result = await ClusterCalls.OnceAsync(() => grains.UserRegistry().UpdateUser(tenant, id, changes));
        // A new password or a deactivation ended the user's sessions: at once on this node.
        if (result.Error == UserChangeError.None) revocations.ForgetUser(tenant, id);
        return result;
    }

    public async Task<UserChangeError> DeleteAsync(string tenant, int id)
    {
        var error = await ClusterCalls.OnceAsync(() => grains.UserRegistry().DeleteUser(tenant, id));
        if (error == UserChangeError.None) revocations.ForgetUser(tenant, id);
        return error;
    }

    /// <summary>The user's active sessions; null when there is no such user.</summary>
    public async Task<IReadOnlyList<SessionInfo>?> ListSessionsAsync(string tenant, int id)
    {
        var user = grains.User(tenant, id);
        if (await ClusterCalls.RepeatableAsync(user.GetProfile) is null) return null;
        return await ClusterCalls.RepeatableAsync(user.ListSessions);
    }

    public Task<SecurityEventPage> ListEventsAsync(string tenant, int id, int limit, int page) =>
        ClusterCalls.RepeatableAsync(() => grains.UserRegistry().ListEvents(tenant, id, limit, page));

    /// <summary>Ends every session of the user; false when there is no such user.</summary>
    public async Task<bool> RevokeAllSessionsAsync(string tenant, int id)
    {
        var user = grains.User(tenant, id);
        if (await ClusterCalls.RepeatableAsync(user.GetProfile) is null) return false;
        await ClusterCalls.OnceAsync(() => user.RevokeAllSessions(RevocationReasons.RevokedByAdmin));
        revocations.ForgetUser(tenant, id);
        return true;
    }

    /// <summary>Ends one session of the user; false when it was not active.</summary>
    public async Task<bool> RevokeSessionAsync(string tenant, int id, string sessionId)
    {
        if (!await ClusterCalls.OnceAsync(() => grains.User(tenant, id).RevokeSession(sessionId, RevocationReasons.RevokedByAdmin))) return false;
        revocations.Forget(tenant, id, sessionId);
        return true;
    }
}
