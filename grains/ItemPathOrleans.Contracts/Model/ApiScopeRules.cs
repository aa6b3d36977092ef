using System.Text.RegularExpressions;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The rules of tenant setting <c>apiScopes</c>, and the scopes every tenant knows besides its own
/// (OpenID Connect's), which a client's <c>allowedScopes</c> may also name.
/// </summary>
public static partial class ApiScopeRules
{
    public const int MaxScopes = 100;
    public const int MaxNameLength = 64;
    public const int MaxDescriptionLength = 256;

    /// <summary>Scopes every tenant knows: OpenID Connect's.</summary>
    public static IReadOnlyList<string> Standard { get; } = ["openid", "profile", "email", "offline_access"];

    public static bool IsName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static string? Validate(IReadOnlyList<ApiScope>? scopes)
    {
        if (scopes is null) return null;
        if (scopes.Count > MaxScopes) return $"apiScopes must list at most {MaxScopes} scopes";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in scopes)
        {
            if (!IsName(scope.Name)) return $"apiScopes names must match ^[A-Za-z0-9:._/-]{{1,{MaxNameLength}}}$";
            if (Standard.Contains(scope.Name)) return $"apiScopes must not redefine the standard scope {scope.Name}";
            if (!seen.Add(scope.Name)) return $"apiScopes must not name {scope.Name} twice";
            if (scope.Description.Length > MaxDescriptionLength || scope.Description.Any(char.IsControl))
                return $"apiScopes descriptions must be at most {MaxDescriptionLength} characters without control characters";
        }
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9:._/-]{1,64}$")]
    private static partial Regex NamePattern();
}
