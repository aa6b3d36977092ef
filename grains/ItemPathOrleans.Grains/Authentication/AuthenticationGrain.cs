using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;

namespace ItemPathOrleans.Grains.Authentication;

/// <summary>
/// Password checks in two steps, so a user grain never waits on a hash: the user grain hands
/// out a permit and the stored hash, the hash is verified here on the bounded pool, then the
/// user grain completes (opens the session, or changes the password). Every failure path of a
/// login runs exactly one hash.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class AuthenticationGrain(PasswordHashingPool hashing, TenantCache tenants) : Grain, IAuthenticationGrain
{
    public async Task<LoginResult> Login(string tenant, string username, string password, string clientAddress, string? clientId = null)
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
        var permit = await user.BeginLogin(clientAddress);
        if (permit.Locked) return LoginResult.Locked(TimeSpan.FromSeconds(permit.RetryAfterSeconds));
        if (!permit.Allowed || permit.PasswordHash is null)
        {
            await hashing.VerifyDecoyAsync(password);
            return LoginResult.Fail(TokenError.BadCredentials);
        }

        var check = await hashing.VerifyAsync(password, permit.PasswordHash);
        // Re-hashing with the configured parameters is a second hash, paid only on a success.
        var rehashed = check.NeedsRehash ? await hashing.HashAsync(password) : null;
        var result = await user.CompleteLogin(permit.PermitId, check.Matched, rehashed, clientId);
        if (result.Error != TokenError.PermitLost) return result;

        // The user grain's activation moved between the halves (a silo stopped or died): start again
        // once on the new one. The password matched the hash the first permit handed out; if the new
        // permit hands out the same stored hash, it is not hashed again.
        var again = await user.BeginLogin(clientAddress);
        if (again.Locked) return LoginResult.Locked(TimeSpan.FromSeconds(again.RetryAfterSeconds));
        if (!again.Allowed || again.PasswordHash is null) return LoginResult.Fail(TokenError.BadCredentials);
        var sameHash = string.Equals(again.PasswordHash, permit.PasswordHash, StringComparison.Ordinal);
        var matched = sameHash || (await hashing.VerifyAsync(password, again.PasswordHash)).Matched;
        var retried = await user.CompleteLogin(again.PermitId, matched, sameHash ? rehashed : null, clientId);
        return retried.Error == TokenError.PermitLost ? LoginResult.Fail(TokenError.BadCredentials) : retried;
    }

    public async Task<PasswordChangeResult> ChangePassword(string tenant, int userId, string keepSessionId, string currentPassword, string newPassword, string clientAddress)
    {
        var user = GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(tenant, userId));
        var profile = await user.GetProfile();
        if (profile is null) return new PasswordChangeResult(PasswordChangeError.WrongPassword, "Current password is incorrect");
        var settings = (await tenants.GetAsync(tenant)).Settings;
        if (PasswordPolicy.Check(newPassword, profile.Username, settings) is { } weak)
            return new PasswordChangeResult(PasswordChangeError.WeakPassword, weak);

        var permit = await user.BeginLogin(clientAddress);
        if (permit.Locked) return new PasswordChangeResult(PasswordChangeError.LockedOut, "Too many failed attempts; retry later");
        if (!permit.Allowed || permit.PasswordHash is null)
        {
            await hashing.VerifyDecoyAsync(currentPassword);
            return new PasswordChangeResult(PasswordChangeError.NoPassword, "This user has no password to change");
        }
        var check = await hashing.VerifyAsync(currentPassword, permit.PasswordHash);
        if (!check.Matched)
        {
            await user.CompleteLogin(permit.PermitId, false, null);
            return new PasswordChangeResult(PasswordChangeError.WrongPassword, "Current password is incorrect");
        }
        var hash = await hashing.HashAsync(newPassword);
        var result = await user.CompletePasswordChange(permit.PermitId, true, hash, keepSessionId);
        if (result.Error != PasswordChangeError.PermitLost) return result;

        // As in Login: the activation moved between the halves; start again once.
        var again = await user.BeginLogin(clientAddress);
        if (again.Locked) return new PasswordChangeResult(PasswordChangeError.LockedOut, "Too many failed attempts; retry later");
        var matched = again.Allowed && again.PasswordHash is not null
            && (string.Equals(again.PasswordHash, permit.PasswordHash, StringComparison.Ordinal)
                || (await hashing.VerifyAsync(currentPassword, again.PasswordHash)).Matched);
        var retried = await user.CompletePasswordChange(again.PermitId, matched, hash, keepSessionId);
        return retried.Error == PasswordChangeError.PermitLost
            ? new PasswordChangeResult(PasswordChangeError.WrongPassword, "Current password is incorrect")
            : retried;
    }
}
