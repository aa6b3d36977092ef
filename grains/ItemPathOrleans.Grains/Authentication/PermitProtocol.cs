using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Passwords;

namespace ItemPathOrleans.Grains.Authentication;

/// <summary>
/// The two-step password check against a user grain, written once for a login and a password
/// change: begin (the user grain counts the attempt and hands out a permit with the stored hash),
/// verify (on the bounded pool, off the grain's turn), complete, and start again once when the
/// completion says the permit was lost (the grain's activation moved between the halves).
/// Every path that fails runs exactly one hash: the decoy's when there is nothing to check against,
/// none when locked, and on the second round none when the new permit hands out the hash that
/// already matched.
/// </summary>
public static class PermitProtocol
{
    /// <param name="complete">
    /// The caller's second half, given the permit, whether the password matched and, on a match,
    /// the password re-hashed with the configured parameters when the stored hash needs it.
    /// It is called only when the first check matched; a first check that did not match completes
    /// as a failed login (<see cref="IUserGrain.CompleteLogin"/>), which the user grain records.
    /// </param>
    /// <param name="permitLost">Whether the second half's answer is "permit lost".</param>
    public static async Task<PermitRun<T>> RunAsync<T>(IUserGrain user, PasswordHashingPool hashing, string password, string clientAddress,
        Func<Guid, bool, string?, Task<T>> complete, Func<T, bool> permitLost)
    {
        var permit = await user.BeginLogin(clientAddress);
        if (permit.Locked) return PermitRun<T>.Locked(permit.RetryAfterSeconds);
        if (!permit.Allowed || permit.PasswordHash is null)
        {
            await hashing.VerifyDecoyAsync(password);
            return PermitRun<T>.NoPassword;
        }

        var check = await hashing.VerifyAsync(password, permit.PasswordHash);
        if (!check.Matched)
        {
            await user.CompleteLogin(permit.PermitId, passwordMatched: false, rehashedPassword: null);
            return PermitRun<T>.Failed;
        }
        // Re-hashing with the configured parameters is a second hash, paid only on a success.
        var rehashed = check.NeedsRehash ? await hashing.HashAsync(password) : null;
        var result = await complete(permit.PermitId, true, rehashed);
        if (!permitLost(result)) return PermitRun<T>.Completed(result);

        // The user grain's activation moved between the halves (a silo stopped or died): start again
        // once on the new one. The password matched the hash the first permit handed out; if the new
        // permit hands out the same stored hash, it is not hashed again.
        var again = await user.BeginLogin(clientAddress);
        if (again.Locked) return PermitRun<T>.Locked(again.RetryAfterSeconds);
        if (!again.Allowed || again.PasswordHash is null) return PermitRun<T>.Failed;
        var sameHash = string.Equals(again.PasswordHash, permit.PasswordHash, StringComparison.Ordinal);
        var matched = sameHash || (await hashing.VerifyAsync(password, again.PasswordHash)).Matched;
        var retried = await complete(again.PermitId, matched, sameHash ? rehashed : null);
        return permitLost(retried) ? PermitRun<T>.Failed : PermitRun<T>.Completed(retried);
    }
}
