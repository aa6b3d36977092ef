using System.ComponentModel.DataAnnotations;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The contract's range of an integer tenant setting, next to the setting itself: the cluster's
/// validation (<see cref="TenantSettingsRules"/>), the API reference (a <see cref="RangeAttribute"/>
/// shows as minimum and maximum) and the tests read it from here. <see cref="AtLeast"/> names a
/// setting whose value is this one's lower bound as well (a lockout's longest above its first).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRangeAttribute(int minimum, int maximum) : RangeAttribute(minimum, maximum)
{
    public string? AtLeast { get; init; }
}
