using System.Collections.Immutable;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The fields of a client's creation or change. Null means "not given": a creation takes the
/// default, a change keeps the value. <see cref="Cleared"/> names the optional fields a change
/// removes (sent as JSON null): <c>jwks</c>, <c>accessTokenLifetimeSeconds</c>, <c>rateLimitPerMinute</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientFields
{
    [Id(0)] public string? ClientId { get; init; }
    [Id(1)] public string? Name { get; init; }
    [Id(2)] public string? Type { get; init; }
    [Id(3)] public IReadOnlyList<string>? GrantTypes { get; init; }
    [Id(4)] public string? TokenEndpointAuthMethod { get; init; }
    [Id(5)] public IReadOnlyList<string>? AllowedScopes { get; init; }
    [Id(6)] public IReadOnlyList<string>? RedirectUris { get; init; }
    [Id(7)] public IReadOnlyList<string>? PostLogoutRedirectUris { get; init; }
    [Id(8)] public string? Jwks { get; init; }
    [Id(9)] public int? AccessTokenLifetimeSeconds { get; init; }
    [Id(10)] public int? RateLimitPerMinute { get; init; }
    [Id(11)] public bool? RequireConsent { get; init; }
    [Id(12)] public bool? Disabled { get; init; }
    [Id(13)] public ImmutableHashSet<string> Cleared { get; init; } = [];

    public const string JwksField = "jwks";
    public const string AccessTokenLifetimeField = "accessTokenLifetimeSeconds";
    public const string RateLimitField = "rateLimitPerMinute";
}
