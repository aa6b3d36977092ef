using System.Diagnostics.Metrics;

namespace ItemPathOrleans.Grains.Observability;

/// <summary>
/// What only the cluster knows, counted where it is decided: a lock that starts, a spent refresh
/// token presented again, every session that ends (logout, an admin, a password change, the
/// session cap, a reuse), sessions opened, and the sessions the user grains in memory hold. The
/// API counts the outcomes it answers; these are the silo's side, exported by the silo's own
/// metrics endpoint. Labels are fixed, small sets of names: never a tenant, a user or a token.
/// </summary>
public static class SessionMetrics
{
    public const string MeterName = "ItemPathOrleans.Grains";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Lockouts = Meter.CreateCounter<long>(
        "itempath.lockouts", "{lockout}", "Locks that started: a username and address pair, or a username for everyone, past its threshold");

    private static readonly Counter<long> ReuseDetections = Meter.CreateCounter<long>(
        "itempath.refresh_reuse_detections", "{detection}", "Spent refresh tokens presented again (the session is revoked)");

    private static readonly Counter<long> Opened = Meter.CreateCounter<long>(
        "itempath.sessions.opened", "{session}", "Sessions opened, by kind");

    private static readonly Counter<long> Revoked = Meter.CreateCounter<long>(
        "itempath.sessions.revoked", "{session}", "Sessions ended before their expiry, by reason");

    private static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>(
        "itempath.sessions.active", "{session}", "Active sessions held by the user grains in memory on this silo");

    /// <param name="knownUser">false for a name nobody holds (its counters live in the name's grain).</param>
    public static void LockStarted(bool knownUser) =>
        Lockouts.Add(1, new KeyValuePair<string, object?>("user", knownUser ? "known" : "unknown"));

    public static void ReuseDetected() => ReuseDetections.Add(1);

    public static void SessionOpened(string kind) => Opened.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void SessionRevoked(string kind, string? reason) =>
        Revoked.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("reason", reason ?? "unknown"));

    /// <summary>A user grain's change in the number of active sessions it holds in memory.</summary>
    public static void ActiveChanged(long delta)
    {
        if (delta != 0) Active.Add(delta);
    }
}
