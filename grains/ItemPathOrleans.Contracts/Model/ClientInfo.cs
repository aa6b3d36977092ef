namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// A registered OAuth client of a tenant as the API shows it. <see cref="Jwks"/> is the JSON of
/// its public keys (<c>private_key_jwt</c>); secrets appear by id and date only.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientInfo(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string ClientId,
    [property: Id(2)] string Name,
    [property: Id(3)] string Type,
    [property: Id(4)] IReadOnlyList<string> GrantTypes,
    [property: Id(5)] string TokenEndpointAuthMethod,
    [property: Id(6)] IReadOnlyList<string> AllowedScopes,
    [property: Id(7)] IReadOnlyList<string> RedirectUris,
    [property: Id(8)] IReadOnlyList<string> PostLogoutRedirectUris,
    [property: Id(9)] string? Jwks,
    [property: Id(10)] int? AccessTokenLifetimeSeconds,
    [property: Id(11)] int? RateLimitPerMinute,
    [property: Id(12)] bool RequireConsent,
    [property: Id(13)] bool Disabled,
    [property: Id(14)] DateTimeOffset CreatedAt,
    [property: Id(15)] DateTimeOffset UpdatedAt,
    [property: Id(16)] IReadOnlyList<ClientSecretInfo> Secrets);
