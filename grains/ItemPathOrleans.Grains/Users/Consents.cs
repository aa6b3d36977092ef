namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// The rules over a user's consents to third-party clients: scopes are space-separated sets; a
/// consent covers a request when it holds every scope asked; a user keeps at most
/// <see cref="MaxClients"/> of them (the oldest go first), so state stays bounded.
/// </summary>
public static class Consents
{
    public const int MaxClients = 100;

    public static bool Covers(string given, string asked)
    {
        var set = Split(given).ToHashSet(StringComparer.Ordinal);
        return Split(asked).All(set.Contains);
    }

    /// <summary>The union of two scope sets, in a stable order.</summary>
    public static string Merge(string? given, string asked) =>
        string.Join(' ', Split(given ?? "").Concat(Split(asked)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    public static void Bound(Dictionary<string, ConsentGrant> consents)
    {
        foreach (var oldest in consents.OrderBy(c => c.Value.GrantedAt).Take(Math.Max(0, consents.Count - MaxClients)).ToList())
            consents.Remove(oldest.Key);
    }

    private static string[] Split(string scope) => scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
