namespace ItemPathOrleans.Contracts.Model;

/// <summary>A change of tenant settings: fields present (non-null) are changed, others kept.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantSettingsPatch
{
    [Id(0)] public int? AccessTokenLifetimeSeconds { get; init; }
    [Id(1)] public int? RefreshTokenLifetimeSeconds { get; init; }
    [Id(2)] public bool? RefreshTokenRotation { get; init; }
    [Id(3)] public int? RefreshReuseGraceSeconds { get; init; }
    [Id(4)] public int? MaxSessionsPerUser { get; init; }
    [Id(5)] public int? MaxApplicationTokensPerUser { get; init; }
    [Id(6)] public int? LockoutThreshold { get; init; }
    [Id(7)] public int? LockoutBaseSeconds { get; init; }
    [Id(8)] public int? LockoutMaxSeconds { get; init; }
    [Id(9)] public int? LockoutUserThreshold { get; init; }
    [Id(10)] public int? LockoutUserWindowSeconds { get; init; }
    [Id(11)] public int? PasswordMinLength { get; init; }
    [Id(12)] public int? RevocationLatencySeconds { get; init; }
    /// <summary>Present: the <c>sso</c> setting is replaced (or removed, when its value is null).</summary>
    [Id(13)] public SsoSettingsChange? Sso { get; init; }
    [Id(14)] public string? SigningAlgorithm { get; init; }

    public TenantSettings ApplyTo(TenantSettings s) => s with
    {
        AccessTokenLifetimeSeconds = AccessTokenLifetimeSeconds ?? s.AccessTokenLifetimeSeconds,
        RefreshTokenLifetimeSeconds = RefreshTokenLifetimeSeconds ?? s.RefreshTokenLifetimeSeconds,
        RefreshTokenRotation = RefreshTokenRotation ?? s.RefreshTokenRotation,
        RefreshReuseGraceSeconds = RefreshReuseGraceSeconds ?? s.RefreshReuseGraceSeconds,
        MaxSessionsPerUser = MaxSessionsPerUser ?? s.MaxSessionsPerUser,
        MaxApplicationTokensPerUser = MaxApplicationTokensPerUser ?? s.MaxApplicationTokensPerUser,
        LockoutThreshold = LockoutThreshold ?? s.LockoutThreshold,
        LockoutBaseSeconds = LockoutBaseSeconds ?? s.LockoutBaseSeconds,
        LockoutMaxSeconds = LockoutMaxSeconds ?? s.LockoutMaxSeconds,
        LockoutUserThreshold = LockoutUserThreshold ?? s.LockoutUserThreshold,
        LockoutUserWindowSeconds = LockoutUserWindowSeconds ?? s.LockoutUserWindowSeconds,
        PasswordMinLength = PasswordMinLength ?? s.PasswordMinLength,
        RevocationLatencySeconds = RevocationLatencySeconds ?? s.RevocationLatencySeconds,
        Sso = Sso is { } sso ? sso.Value : s.Sso,
        SigningAlgorithm = SigningAlgorithm ?? s.SigningAlgorithm,
    };
}

/// <summary>The contract's ranges for tenant settings; each check names the field that is out of range.</summary>
public static class TenantSettingsRules
{
    public static string? Validate(TenantSettings s)
    {
        return Range(nameof(s.AccessTokenLifetimeSeconds), s.AccessTokenLifetimeSeconds, 60, 86_400)
            ?? Range(nameof(s.RefreshTokenLifetimeSeconds), s.RefreshTokenLifetimeSeconds, 3_600, 31_536_000)
            ?? Range(nameof(s.RefreshReuseGraceSeconds), s.RefreshReuseGraceSeconds, 0, 300)
            ?? Range(nameof(s.MaxSessionsPerUser), s.MaxSessionsPerUser, 1, 10_000)
            ?? Range(nameof(s.MaxApplicationTokensPerUser), s.MaxApplicationTokensPerUser, 1, 10_000)
            ?? Range(nameof(s.LockoutThreshold), s.LockoutThreshold, 1, 100)
            ?? Range(nameof(s.LockoutBaseSeconds), s.LockoutBaseSeconds, 1, 86_400)
            ?? Range(nameof(s.LockoutMaxSeconds), s.LockoutMaxSeconds, s.LockoutBaseSeconds, 86_400)
            ?? Range(nameof(s.LockoutUserThreshold), s.LockoutUserThreshold, 1, 10_000)
            ?? Range(nameof(s.LockoutUserWindowSeconds), s.LockoutUserWindowSeconds, 60, 86_400)
            ?? Range(nameof(s.PasswordMinLength), s.PasswordMinLength, 8, 128)
            ?? Range(nameof(s.RevocationLatencySeconds), s.RevocationLatencySeconds, 1, 60)
            ?? SsoSettingsRules.Validate(s.Sso)
            ?? (Tokens.SigningAlgorithms.IsSupported(s.Algorithm) ? null : $"{JsonName(nameof(s.SigningAlgorithm))} must be HS256 or ES256");
    }

    private static string? Range(string property, int value, int min, int max) =>
        value >= min && value <= max ? null : $"{JsonName(property)} must be between {min} and {max}";

    /// <summary>The camelCase name clients send.</summary>
    public static string JsonName(string property) => char.ToLowerInvariant(property[0]) + property[1..];
}
