using System.Collections.Immutable;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Clients;

/// <summary>
/// <c>POST /api/clients</c> and <c>POST|PATCH /api/clients/{clientId}</c>: a client's fields. A
/// creation takes defaults for the fields it leaves out; a change keeps them, and a <c>null</c>
/// removes the optional ones (<c>jwks</c>, <c>accessTokenLifetimeSeconds</c>,
/// <c>rateLimitPerMinute</c>). The shape is checked here; the registration rules (grant types,
/// methods, redirect URIs, scopes, keys) are the client grain's (<c>ClientRules</c>).
/// </summary>
public sealed record ClientRequest(
    [property: StringLength(128, MinimumLength = 1)] string? ClientId,
    [property: StringLength(128, MinimumLength = 1)] string? Name,
    string? Type,
    List<string>? GrantTypes,
    string? TokenEndpointAuthMethod,
    List<string>? AllowedScopes,
    List<string>? RedirectUris,
    List<string>? PostLogoutRedirectUris,
    JsonElement? Jwks,
    int? AccessTokenLifetimeSeconds,
    int? RateLimitPerMinute,
    bool? RequireConsent,
    bool? Disabled)
    : JsonRequestBody<ClientRequest>
{
    /// <summary>Most values in one list field; the grain's rules are tighter where they need to be.</summary>
    public const int MaxListLength = 100;
    public const int MaxValueLength = 2048;

    public override string? Validate()
    {
        if (ClientId is not null && !ClientVocabulary.IsClientId(ClientId)) return "clientId must match ^[A-Za-z0-9._~-]{1,128}$";
        foreach (var (list, name) in new[] { (GrantTypes, "grantTypes"), (AllowedScopes, "allowedScopes"), (RedirectUris, "redirectUris"), (PostLogoutRedirectUris, "postLogoutRedirectUris") })
        {
            if (list is null) continue;
            if (list.Count > MaxListLength || list.Any(v => v is null || v.Length > MaxValueLength))
                return $"Field '{name}' must be an array of at most {MaxListLength} strings of at most {MaxValueLength} characters";
        }
        if (Jwks is { } jwks && jwks.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)) return "Field 'jwks' must be a JWK Set object";
        return null;
    }

    public ClientFields ToFields()
    {
        var cleared = new[] { ClientFields.JwksField, ClientFields.AccessTokenLifetimeField, ClientFields.RateLimitField }
            .Where(Present.Contains).Where(field => field switch
            {
                ClientFields.JwksField => Jwks is null || Jwks.Value.ValueKind == JsonValueKind.Null,
                ClientFields.AccessTokenLifetimeField => AccessTokenLifetimeSeconds is null,
                _ => RateLimitPerMinute is null,
            });
        return new ClientFields
        {
            ClientId = ClientId,
            Name = Name,
            Type = Type,
            GrantTypes = GrantTypes,
            TokenEndpointAuthMethod = TokenEndpointAuthMethod,
            AllowedScopes = AllowedScopes,
            RedirectUris = RedirectUris,
            PostLogoutRedirectUris = PostLogoutRedirectUris,
            Jwks = Jwks is { ValueKind: JsonValueKind.Object } jwks ? jwks.GetRawText() : null,
            AccessTokenLifetimeSeconds = AccessTokenLifetimeSeconds,
            RateLimitPerMinute = RateLimitPerMinute,
            RequireConsent = RequireConsent,
            Disabled = Disabled,
            Cleared = cleared.ToImmutableHashSet(),
        };
    }
}
