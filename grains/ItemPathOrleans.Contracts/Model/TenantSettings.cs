using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// A tenant's settings, each with the contract's default and its rule beside it. A new setting is
/// one property here (an <c>[Id]</c>, a default, a <see cref="SettingRangeAttribute"/>): the PATCH
/// body, the tenant answer, the validation and the API reference follow from it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantSettings
{
    [Id(0), SettingRange(60, 86_400)] public int AccessTokenLifetimeSeconds { get; init; } = 900;
    [Id(1), SettingRange(3_600, 31_536_000)] public int RefreshTokenLifetimeSeconds { get; init; } = 2_592_000;
    [Id(2)] public bool RefreshTokenRotation { get; init; }
    [Id(3), SettingRange(0, 300)] public int RefreshReuseGraceSeconds { get; init; } = 30;
    [Id(4), SettingRange(1, 10_000)] public int MaxSessionsPerUser { get; init; } = 200;
    [Id(5), SettingRange(1, 10_000)] public int MaxApplicationTokensPerUser { get; init; } = 100;
    [Id(6), SettingRange(1, 100)] public int LockoutThreshold { get; init; } = 5;
    [Id(7), SettingRange(1, 86_400)] public int LockoutBaseSeconds { get; init; } = 60;
    [Id(8), SettingRange(1, 86_400, AtLeast = nameof(LockoutBaseSeconds))] public int LockoutMaxSeconds { get; init; } = 900;
    [Id(9), SettingRange(1, 10_000)] public int LockoutUserThreshold { get; init; } = 50;
    [Id(10), SettingRange(60, 86_400)] public int LockoutUserWindowSeconds { get; init; } = 900;
    [Id(11), SettingRange(8, 128)] public int PasswordMinLength { get; init; } = 8;
    [Id(12), SettingRange(1, 60)] public int RevocationLatencySeconds { get; init; } = 5;
    /// <summary>Single sign-on with Microsoft Entra ID; null: not configured (its rules: <see cref="SsoSettingsRules"/>).</summary>
    [Id(13)] public SsoSettings? Sso { get; init; }
    /// <summary><c>HS256</c> or <c>ES256</c>: the only algorithm the tenant signs and accepts. Null in state stored before it existed: HS256.</summary>
    [Id(14), AllowedValues(Tokens.SigningAlgorithms.HS256, Tokens.SigningAlgorithms.ES256)]
    public string? SigningAlgorithm { get; init; } = Tokens.SigningAlgorithms.HS256;

    /// <summary>The tenant's API scopes (<see cref="ApiScopeRules"/>). Null in state stored before it existed: none.</summary>
    [Id(15)] public IReadOnlyList<ApiScope>? ApiScopes { get; init; } = [];
    /// <summary>
    /// Whether <c>/oauth/token</c> takes the password grant without a registered client. Null in
    /// state stored before it existed: true, the default.
    /// </summary>
    [Id(16)] public bool? OauthPasswordGrant { get; init; } = true;

    [JsonIgnore]
    public IReadOnlyList<ApiScope> Scopes => ApiScopes ?? [];

    [JsonIgnore]
    public bool PasswordGrantWithoutClient => OauthPasswordGrant ?? true;

    [JsonIgnore]
    public string Algorithm => SigningAlgorithm ?? Tokens.SigningAlgorithms.HS256;

    public static TenantSettings Default { get; } = new();
}
