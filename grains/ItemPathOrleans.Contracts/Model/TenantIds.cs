using System.Text.RegularExpressions;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>Tenant ids: <c>^[a-z0-9][a-z0-9-]{0,62}$</c>, usable as a DNS label.</summary>
public static partial class TenantIds
{
    public const string Default = "default";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Pattern();
}
