using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The contract's rules of tenant settings, read from the attributes on <see cref="TenantSettings"/>;
/// each check names the field (camelCase, as clients send it) that breaks its rule.
/// </summary>
public static class TenantSettingsRules
{
    /// <summary>Every stored setting (a property with an <c>[Id]</c>), in declaration order.</summary>
    public static IReadOnlyList<PropertyInfo> Settings { get; } = typeof(TenantSettings).GetProperties()
        .Where(p => p.SetMethod is not null && p.IsDefined(typeof(IdAttribute)))
        .OrderBy(p => p.GetCustomAttribute<IdAttribute>()!.Id)
        .ToList();

    /// <summary>The integer settings' ranges, by JSON name (a lower bound that is another setting is left to that setting's own range).</summary>
    public static IReadOnlyList<(string Name, int Min, int Max)> Ranges { get; } = Settings
        .Select(p => (p, range: p.GetCustomAttribute<SettingRangeAttribute>()))
        .Where(x => x.range is not null)
        .Select(x => (JsonName(x.p.Name), (int)x.range!.Minimum, (int)x.range.Maximum))
        .ToList();

    public static PropertyInfo? Setting(string name) => Settings.FirstOrDefault(p => p.Name == name);

    public static string? Validate(TenantSettings s)
    {
        foreach (var setting in Settings)
        {
            var value = setting.GetValue(s);
            if (setting.GetCustomAttribute<SettingRangeAttribute>() is { } range)
            {
                var min = range.AtLeast is { } other ? (int)Setting(other)!.GetValue(s)! : (int)range.Minimum;
                var max = (int)range.Maximum;
                if (value is int number && (number < min || number > max)) return $"{JsonName(setting.Name)} must be between {min} and {max}";
            }
            else if (setting.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
            {
                // Null: stored before the setting existed, its default applies.
                if (value is not null && !allowed.Values.Contains(value)) return $"{JsonName(setting.Name)} must be {string.Join(" or ", allowed.Values)}";
            }
            else if (value is SsoSettings sso && SsoSettingsRules.Validate(sso) is { } invalid)
            {
                return invalid;
            }
            else if (value is IReadOnlyList<ApiScope> scopes && ApiScopeRules.Validate(scopes) is { } badScopes)
            {
                return badScopes;
            }
        }
        return null;
    }

    /// <summary>The camelCase name clients send.</summary>
    public static string JsonName(string property) => char.ToLowerInvariant(property[0]) + property[1..];
}
