using System.Collections.Immutable;
using System.Linq.Expressions;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// A change of tenant settings: the settings named in <see cref="Changes"/> (by their property
/// name in <see cref="TenantSettings"/>) take the value given, the others are kept. Generic over
/// the settings, so a new setting needs nothing here.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantSettingsPatch
{
    /// <summary>Setting name → new value (null removes an optional setting, such as <c>Sso</c>).</summary>
    [Id(15)] public ImmutableDictionary<string, object?> Changes { get; init; } = ImmutableDictionary<string, object?>.Empty;

    /// <summary>
    /// The <c>sso</c> the patch sets came without <c>clientSecret</c>: the stored secret is kept
    /// when the client id stays the same (a secret belongs to its application). Decided against the
    /// stored settings by their single writer, so a concurrent change of the secret is not undone.
    /// </summary>
    [Id(16)] public bool KeepSsoClientSecret { get; init; }

    /// <summary>This patch with <paramref name="setting"/> changed too: <c>patch.Set(s => s.RefreshTokenRotation, true)</c>.</summary>
    public TenantSettingsPatch Set<T>(Expression<Func<TenantSettings, T>> setting, T value) =>
        Set(setting.Body is MemberExpression member ? member.Member.Name : throw new ArgumentException("Name a property of TenantSettings.", nameof(setting)), value);

    /// <summary>This patch with the setting of that property name changed too.</summary>
    public TenantSettingsPatch Set(string setting, object? value) =>
        TenantSettingsRules.Setting(setting) is null
            ? throw new ArgumentException($"There is no tenant setting {setting}.", nameof(setting))
            : this with { Changes = Changes.SetItem(setting, value) };

    /// <exception cref="ArgumentException">A change names no setting, or has a value of the wrong type.</exception>
    public TenantSettings ApplyTo(TenantSettings s)
    {
        var changed = s with { };
        foreach (var (name, value) in Changes)
        {
            var setting = TenantSettingsRules.Setting(name) ?? throw new ArgumentException($"There is no tenant setting {name}.");
            setting.SetValue(changed, value);
        }
        if (KeepSsoClientSecret && changed.Sso is { SealedClientSecret: null } next
            && s.Sso is { SealedClientSecret: { } kept } previous && string.Equals(previous.ClientId, next.ClientId, StringComparison.Ordinal))
            changed = changed with { Sso = next with { SealedClientSecret = kept } };
        return changed;
    }
}
