namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// A token request's <c>scope</c> (RFC 6749 §3.3: space-separated, order and repeats carry no
/// meaning) against what the tenant and the client allow.
/// </summary>
public static class ScopeRequest
{
    /// <summary>Most scope values one request may name (bounded work for hostile input).</summary>
    public const int MaxValues = 100;

    /// <summary>The distinct values of a <c>scope</c> parameter; null when it is malformed.</summary>
    public static IReadOnlyList<string>? Parse(string? scope)
    {
        if (string.IsNullOrEmpty(scope)) return [];
        var values = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (values.Length > MaxValues || values.Any(v => v.Any(c => c is < '\x21' or > '\x7e' or '"' or '\\'))) return null;
        return values.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether every value is a scope of the tenant (its API scopes, or a standard one): a request without a client.</summary>
    public static bool AllKnown(string? scope, TenantSettings settings) =>
        Parse(scope) is { } values && values.All(v => ApiScopeRules.Standard.Contains(v) || settings.Scopes.Any(s => s.Name == v));

    /// <summary>
    /// The scopes a client gets (space-separated), or null when it asks for one it may not have:
    /// those asked for, each among its <c>allowedScopes</c> and still a scope of the tenant; when
    /// it asks for none, its API scopes (its allowed ones that are the tenant's API scopes).
    /// </summary>
    public static string? Grant(string? scope, ClientInfo client, TenantSettings settings)
    {
        if (Parse(scope) is not { } asked) return null;
        bool TenantKnows(string v) => ApiScopeRules.Standard.Contains(v) || settings.Scopes.Any(s => s.Name == v);
        if (asked.Count == 0)
            return string.Join(' ', client.AllowedScopes.Where(v => !ApiScopeRules.Standard.Contains(v) && TenantKnows(v)));
        return asked.All(v => client.AllowedScopes.Contains(v) && TenantKnows(v)) ? string.Join(' ', asked) : null;
    }
}
