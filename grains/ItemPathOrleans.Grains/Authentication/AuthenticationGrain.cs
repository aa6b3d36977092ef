using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;

namespace ItemPathOrleans.Grains.Authentication;

/// <summary>
/// Password logins in two steps, so a user grain never waits on a hash: the user grain hands
/// out a permit and the stored hash, the hash is verified here on the bounded pool, then the
/// user grain opens the session. Every failure path runs exactly one hash.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class AuthenticationGrain(PasswordHashingPool hashing) : Grain, IAuthenticationGrain
{
    public async Task<LoginResult> Login(string tenant, string username, string password)
    {
        var name = GrainKeys.NormalizeName(username);
        var userId = await GrainFactory.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName(tenant, UniqueNameKind.Username, name)).Lookup();
        if (userId is null)
        {
            await hashing.VerifyDecoyAsync(password);
            return LoginResult.Fail(TokenError.BadCredentials);
        }

        var user = GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(tenant, userId.Value));
        var permit = await user.BeginLogin();
        if (!permit.Allowed || permit.PasswordHash is null)
        {
            await hashing.VerifyDecoyAsync(password);
            return LoginResult.Fail(TokenError.BadCredentials);
        }

        var check = await hashing.VerifyAsync(password, permit.PasswordHash);
        // Re-hashing with the configured parameters is a second hash, paid only on a success.
        var rehashed = check.NeedsRehash ? await hashing.HashAsync(password) : null;
        return await user.CompleteLogin(permit.PermitId, check.Matched, rehashed);
    }
}
