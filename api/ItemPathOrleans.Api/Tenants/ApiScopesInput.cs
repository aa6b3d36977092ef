using System.Text.Json;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Tenants;

/// <summary>
/// Reads the <c>apiScopes</c> tenant setting from an update body: an array of
/// <c>{"name", "description"}</c> objects replaces the list (<c>[]</c> or <c>null</c> empties it).
/// The shape is checked here; the names' rules are <see cref="ApiScopeRules"/>'.
/// </summary>
public static class ApiScopesInput
{
    public const string Field = "apiScopes";

    /// <summary>The new list; null when the body does not name the setting (or names it wrongly: <paramref name="error"/>).</summary>
    public static IReadOnlyList<ApiScope>? Read(JsonElement body, ref string? error)
    {
        if (!body.TryGetProperty(Field, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Null) return [];
        const string Shape = "Field 'apiScopes' must be an array of {\"name\", \"description\"} objects";
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > ApiScopeRules.MaxScopes)
        {
            error ??= value.ValueKind == JsonValueKind.Array ? $"apiScopes must list at most {ApiScopeRules.MaxScopes} scopes" : Shape;
            return null;
        }
        var scopes = new List<ApiScope>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || (item.TryGetProperty("description", out var description) && description.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)))
            {
                error ??= Shape;
                return null;
            }
            scopes.Add(new ApiScope(name.GetString()!, description.ValueKind == JsonValueKind.String ? description.GetString()! : ""));
        }
        return scopes;
    }
}
