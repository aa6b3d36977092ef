using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Lockout;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// A user's password credential and the logins in flight against it, as a plain class the user
/// grain calls. A login (or a password change) runs in two halves around its hash:
/// <see cref="Begin"/> counts the attempt against the lockout before any hash runs and hands out a
/// permit with the stored hash; <see cref="Complete"/> redeems the permit once the hash was checked.
/// Each permit names the credential version its hash belongs to, and every change of the password,
/// the status or the type raises that version (<see cref="Change"/>): a completion checked against
/// an older credential is refused like a wrong password, so a login checked before a reset never
/// finishes after it. Permits and failure counters live in memory only, bounded.
/// </summary>
public sealed class Credentials
{
    /// <summary>Most logins between their two halves at once; past it a login is refused (one hash, like a wrong password).</summary>
    public const int MaxPendingLogins = 256;

    /// <summary>How long a permit may wait for its completion (a hash takes well under a second).</summary>
    public static readonly TimeSpan PermitLifetime = TimeSpan.FromMinutes(1);

    private readonly Dictionary<Guid, PendingLogin> _permits = [];
    // Failed-login counters: in memory (a write per failed guess would hand attackers the database).
    private readonly LoginThrottle _throttle = new();

    public int PendingLogins => _permits.Count;

    /// <summary>
    /// First half of a login of an existing user from <paramref name="address"/> (a
    /// <c>ClientAddresses</c> key): locked (the permit carries the wait), refused (no password, or
    /// too many logins in flight), or a permit with the stored hash. The throttle's decision says
    /// whether this attempt just started a lock.
    /// </summary>
    public (LoginPermit Permit, ThrottleDecision Throttle) Begin(UserState user, string address, DateTimeOffset now, TenantSettings settings)
    {
        foreach (var (id, pending) in _permits)
        {
            if (now - pending.Issued > PermitLifetime) _permits.Remove(id);
        }
        var throttle = _throttle.Begin(address, now, settings);
        if (!throttle.Allowed)
            return (new LoginPermit(false, Guid.Empty, null, Math.Max(1, (int)Math.Ceiling(throttle.RetryAfter.TotalSeconds))), throttle);
        if (user.PasswordHash is null || _permits.Count >= MaxPendingLogins) return (NoPermit, throttle);

        var permitId = Guid.NewGuid();
        _permits[permitId] = new PendingLogin(now, address, user.CredentialVersion);
        return (new LoginPermit(true, permitId, user.PasswordHash), throttle);
    }

    /// <summary>The answer to a login of a user that does not exist.</summary>
    public static LoginPermit NoPermit { get; } = new(false, Guid.Empty, null);

    /// <summary>
    /// Second half: redeems the permit (once). Accepted only when the password matched, the
    /// credential is the one the permit was handed out for and the user is active; an accepted
    /// login takes its count back from the throttle.
    /// </summary>
    public PermitCompletion Complete(UserState user, Guid permitId, bool passwordMatched)
    {
        // An unknown permit after a matched password: this activation is not the one that handed it out.
        if (!_permits.Remove(permitId, out var permit)) return passwordMatched ? PermitCompletion.Lost : PermitCompletion.Unknown;
        if (Refusal(user, permit, passwordMatched) is { } refusal) return PermitCompletion.Refused(permit.Address, refusal);
        _throttle.Succeeded(permit.Address);
        return PermitCompletion.Accepted(permit.Address);
    }

    /// <summary>
    /// The one way the password (when <paramref name="newPasswordHash"/> is given), the status or
    /// the type changes: no login checked before it completes after it.
    /// </summary>
    public static void Change(UserState user, string? newPasswordHash = null)
    {
        if (newPasswordHash is not null) user.PasswordHash = newPasswordHash;
        user.CredentialVersion++;
    }

    /// <summary>The same password hashed with the configured parameters: the credential is unchanged, so its version stays.</summary>
    public static void Rehash(UserState user, string rehashedPassword) => user.PasswordHash = rehashedPassword;

    /// <summary>Forgets every failure and lock (an operator reset the password).</summary>
    public void ResetLockout() => _throttle.Reset();

    /// <summary>
    /// Why the second half must fail; null when it may go on. The password was checked against the
    /// credential of the permit: if the password, the status or the type has changed since, that
    /// check no longer speaks for the user (an admin's reset must stop a login already past its
    /// hash), and the answer is the same as for a wrong password.
    /// </summary>
    private static string? Refusal(UserState user, PendingLogin permit, bool passwordMatched)
    {
        if (!passwordMatched) return "wrong password";
        if (permit.CredentialVersion != user.CredentialVersion) return "the password, status or type changed during the login";
        return user.Profile is { IsActive: true } ? null : "user not active";
    }

    private readonly record struct PendingLogin(DateTimeOffset Issued, string Address, int CredentialVersion);
}
