using ItemPathOrleans.Api.Hosting;


namespace ItemPathOrleans.Api.Authentication;

public sealed class RevocationOptions : IValidatedOptions
{
    public const string Section = "Revocation";

    /// <summary>Most (user, session) answers, and most client answers, kept per API node; memory stays bounded under any load.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Whether protected endpoints check that the session and the user are still active. Off only
    /// to measure what the check costs: with it off a revoked token works until it expires.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether a session's answer is kept past <c>revocationLatencySeconds</c> while no change of
    /// its user is recorded (at most a minute; see <see cref="UserChangeFeed"/>). Off, every answer
    /// is asked for again once older than the latency. Off on new API nodes during a rolling upgrade
    /// from a release whose silos do not record user changes, until the last such silo is gone.
    /// </summary>
    public bool KeepUnchanged { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (MaxEntries < 1) yield return "Revocation:MaxEntries must be 1 or more";
    }
}
