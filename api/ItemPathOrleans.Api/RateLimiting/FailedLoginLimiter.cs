using ItemPathOrleans.ClusterNode.Lockout;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.RateLimiting;

/// <summary>
/// Counts only failed logins per client address (a success is never limited). A password check
/// reserves its attempt first and gives it back unless it failed, so no more than the limit of
/// checks can fail per address per minute, however many run at once.
/// </summary>
public sealed class FailedLoginLimiter
{
    /// <summary>Addresses tracked at once on this node (about 200 bytes each); more share one budget.</summary>
    public const int MaxTrackedAddresses = 50_000;

    private readonly FailedLoginBudget? _budget;

    public FailedLoginLimiter(IOptions<RateLimitOptions> options, TimeProvider time)
    {
        var perMinute = options.Value.FailedLoginsPerMinute;
        if (perMinute > 0) _budget = new FailedLoginBudget(perMinute, TimeSpan.FromMinutes(1), MaxTrackedAddresses, time);
    }

    /// <summary>Reserves one failed login of the address before its password is checked; see <see cref="FailedLoginReservation"/>.</summary>
    public FailedLoginReservation Reserve(string clientAddress) =>
        _budget?.Reserve(ClientAddresses.Key(clientAddress)) ?? FailedLoginReservation.Unlimited;

    /// <summary>Null when the address may try; else how long it waits. For checks that reserve nothing (single sign-on).</summary>
    public TimeSpan? Refusal(string clientAddress) => _budget?.Refusal(ClientAddresses.Key(clientAddress));

    /// <summary>Spends one failed login of the address after the fact (single sign-on, which checks no password).</summary>
    public void Failed(string clientAddress) => _budget?.Spend(ClientAddresses.Key(clientAddress));
}
