using ItemPathOrleans.Contracts.Grains;

namespace ItemPathOrleans.Grains.Sso;

/// <summary>
/// The ID tokens one Entra identity signed in with, as a plain class the link grain calls: each is
/// remembered until the API would refuse it as expired anyway, so a second use is recognised, and
/// then forgotten. At most <see cref="Capacity"/> at once, so the state stays bounded whatever is
/// sent; a person never comes near it (Entra's ID tokens live about an hour).
/// </summary>
public sealed class AcceptedIdTokens(Dictionary<string, AcceptedIdToken> accepted)
{
    public const int Capacity = 100;

    /// <summary>Kept this much longer than the API accepts a token: API nodes' and silos' clocks may differ a little.</summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(5);

    public int Count => accepted.Count;

    /// <summary>
    /// Records <paramref name="use"/>: <see cref="SsoLoginError.None"/> the first time (and for the
    /// same request again), <see cref="SsoLoginError.Replayed"/> for a token another request used,
    /// and <see cref="SsoLoginError.TooManySignIns"/> when full. Refusing when full, rather than
    /// forgetting the oldest, keeps every recorded token unusable until it expires.
    /// </summary>
    public SsoLoginError Accept(IdTokenUse use, DateTimeOffset now)
    {
        Prune(now);
        if (accepted.TryGetValue(use.Hash, out var seen)) return seen.RequestId == use.RequestId ? SsoLoginError.None : SsoLoginError.Replayed;
        if (accepted.Count >= Capacity) return SsoLoginError.TooManySignIns;
        accepted[use.Hash] = new AcceptedIdToken(use.IssuedAt, use.AcceptedUntil, use.RequestId);
        return SsoLoginError.None;
    }

    /// <summary>Forgets the tokens the API refuses as expired by now.</summary>
    public void Prune(DateTimeOffset now)
    {
        var cutoff = (now - ClockMargin).ToUnixTimeSeconds();
        foreach (var (hash, token) in accepted)
        {
            if (token.AcceptedUntil < cutoff) accepted.Remove(hash);
        }
    }
}
