using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;

namespace ItemPathOrleans.Grains.Authentication;

/// <summary>
/// Password checks in two steps, so a user grain never waits on a hash: the user grain hands
/// out a permit and the stored hash, the hash is verified here on the bounded pool, then the
/// user grain completes (opens the session, or changes the password): one protocol for both,
/// <see cref="PermitProtocol"/>. Every failure path of a login runs exactly one hash.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class AuthenticationGrain(PasswordHashingPool hashing, TenantCache tenants) : Grain, IAuthenticationGrain
{
    public async Task<LoginResult> Login(string tenant, string username, string password, string clientAddress, string? clientId = null, string kind = SessionKinds.Login)
    {
        // A name no user can have is an unknown user's, with its decoy hash, and goes no further:
        // never a grain key, a database parameter or a log line.
        if (UsernameRule.Problem(username) is not null)
        {
            await hashing.VerifyDecoyAsync(password);
            return LoginResult.Fail(TokenError.BadCredentials);
        }
        var name = GrainKeys.NormalizeName(username);
        var start = await GrainFactory.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName(tenant, UniqueNameKind.Username, name)).BeginLogin(clientAddress);
        // Locked: no hash runs, for a known name and an unknown one alike.
        if (start.RetryAfterSeconds > 0) return LoginResult.Locked(TimeSpan.FromSeconds(start.RetryAfterSeconds));
        if (start.UserId is not { } userId)
        {
            await hashing.VerifyDecoyAsync(password);
            return LoginResult.Fail(TokenError.BadCredentials);
        }

        var user = GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(tenant, userId));
        var run = await PermitProtocol.RunAsync(user, hashing, password, clientAddress,
            (permitId, matched, rehashed) => user.CompleteLogin(permitId, matched, rehashed, clientId, kind),
            result => result.Error == TokenError.PermitLost);
        return run.End switch
        {
            PermitEnd.Completed => run.Result!,
            PermitEnd.Locked => LoginResult.Locked(TimeSpan.FromSeconds(run.RetryAfterSeconds)),
            _ => LoginResult.Fail(TokenError.BadCredentials),
        };
    }

    public async Task<PasswordChangeResult> ChangePassword(string tenant, int userId, string keepSessionId, string currentPassword, string newPassword, string clientAddress)
    {
        var user = GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(tenant, userId));
        var profile = await user.GetProfile();
        if (profile is null) return WrongPassword;
        var settings = (await tenants.GetAsync(tenant)).Settings;
        if (PasswordPolicy.Check(newPassword, profile.Username, settings) is { } weak)
            return new PasswordChangeResult(PasswordChangeError.WeakPassword, weak);

        // The new password is hashed once, after the current one matched, and kept for a second round.
        string? newHash = null;
        var run = await PermitProtocol.RunAsync(user, hashing, currentPassword, clientAddress,
            async (permitId, matched, _) => await user.CompletePasswordChange(permitId, matched, newHash ??= await hashing.HashAsync(newPassword), keepSessionId),
            result => result.Error == PasswordChangeError.PermitLost);
        return run.End switch
        {
            PermitEnd.Completed => run.Result!,
            PermitEnd.Locked => new PasswordChangeResult(PasswordChangeError.LockedOut, "Too many failed attempts; retry later"),
            PermitEnd.NoPassword => new PasswordChangeResult(PasswordChangeError.NoPassword, "This user has no password to change"),
            _ => WrongPassword,
        };
    }

    private static PasswordChangeResult WrongPassword => new(PasswordChangeError.WrongPassword, "Current password is incorrect");
}
