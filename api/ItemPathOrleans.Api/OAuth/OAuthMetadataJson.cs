using System.Text.Json.Serialization;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// The RFC 8414 authorization server metadata of one tenant. A further member is one more
/// property here (null ones are left out) and one more argument where <c>OAuthEndpoints</c> builds it.
/// </summary>
public sealed record OAuthMetadataJson(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("introspection_endpoint")] string IntrospectionEndpoint,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> TokenEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_methods_supported")] IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> RevocationEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("introspection_endpoint_auth_methods_supported")] IReadOnlyList<string> IntrospectionEndpointAuthMethodsSupported,
    [property: JsonPropertyName("introspection_endpoint_auth_signing_alg_values_supported")] IReadOnlyList<string> IntrospectionEndpointAuthSigningAlgValuesSupported,
    // The tenant's API scopes (tenant setting apiScopes).
    [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
    // The authorization code flow (the OpenID Provider's authorization endpoint), with S256 PKCE only.
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
    // The tenant's public keys (ES256 tenants; an empty set for HS256 ones, whose keys are secret).
    [property: JsonPropertyName("jwks_uri")] string JwksUri);
