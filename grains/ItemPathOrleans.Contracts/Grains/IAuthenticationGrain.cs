using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// Stateless front of the cluster for password logins: finds the user by name, asks the user
/// grain for a permit, verifies the hash on a bounded pool, and completes the login. An unknown
/// name runs one hash too, so every failure looks and costs the same.
/// </summary>
public interface IAuthenticationGrain : IGrainWithIntegerKey
{
    /// <param name="clientId">An OAuth <c>client_id</c> the client sent, recorded on the session it opens.</param>
    /// <param name="kind">The session kind the login opens (<see cref="SessionKinds.Web"/> for the sign-in page).</param>
    Task<LoginResult> Login(string tenant, string username, string password, string clientAddress, string? clientId = null, string kind = SessionKinds.Login);

    /// <summary>
    /// A user changes their own password: the current one is verified like a login, the new one
    /// must pass the tenant's policy, and every other session of the user is revoked.
    /// </summary>
    Task<PasswordChangeResult> ChangePassword(string tenant, int userId, string keepSessionId, string currentPassword, string newPassword, string clientAddress);
}
