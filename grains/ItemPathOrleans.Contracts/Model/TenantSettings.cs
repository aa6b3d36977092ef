namespace ItemPathOrleans.Contracts.Model;

/// <summary>A tenant's settings, with the contract's defaults.</summary>
[GenerateSerializer, Immutable]
public sealed record TenantSettings
{
    [Id(0)] public int AccessTokenLifetimeSeconds { get; init; } = 900;
    [Id(1)] public int RefreshTokenLifetimeSeconds { get; init; } = 2_592_000;
    [Id(2)] public bool RefreshTokenRotation { get; init; }
    [Id(3)] public int RefreshReuseGraceSeconds { get; init; } = 30;
    [Id(4)] public int MaxSessionsPerUser { get; init; } = 200;
    [Id(5)] public int MaxApplicationTokensPerUser { get; init; } = 100;
    [Id(6)] public int LockoutThreshold { get; init; } = 5;
    [Id(7)] public int LockoutBaseSeconds { get; init; } = 60;
    [Id(8)] public int LockoutMaxSeconds { get; init; } = 900;
    [Id(9)] public int LockoutUserThreshold { get; init; } = 50;
    [Id(10)] public int LockoutUserWindowSeconds { get; init; } = 900;
    [Id(11)] public int PasswordMinLength { get; init; } = 8;
    [Id(12)] public int RevocationLatencySeconds { get; init; } = 5;
    /// <summary>Single sign-on with Microsoft Entra ID; null: not configured.</summary>
    [Id(13)] public SsoSettings? Sso { get; init; }
    /// <summary><c>HS256</c> or <c>ES256</c>: the only algorithm the tenant signs and accepts. Null in state stored before it existed: HS256.</summary>
    [Id(14)] public string? SigningAlgorithm { get; init; } = Tokens.SigningAlgorithms.HS256;

    public string Algorithm => SigningAlgorithm ?? Tokens.SigningAlgorithms.HS256;

    public static TenantSettings Default { get; } = new();
}
