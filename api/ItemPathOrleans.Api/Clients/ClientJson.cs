using System.Text.Json;
using System.Text.Json.Serialization;
using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Clients;

/// <summary>
/// A client as the API shows it: its registration, its secrets by id and date, and
/// <c>clientSecret</c> only in the answer that created it (never again); <c>builtIn: true</c> on
/// the console's client alone (<see cref="ConsoleClient"/>).
/// </summary>
public sealed record ClientJson(
    string ClientId, string Name, string Type, IReadOnlyList<string> GrantTypes, string TokenEndpointAuthMethod,
    IReadOnlyList<string> AllowedScopes, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> PostLogoutRedirectUris,
    JsonElement? Jwks, int? AccessTokenLifetimeSeconds, int? RateLimitPerMinute, bool RequireConsent, bool Disabled,
    IReadOnlyList<ClientSecretListing> Secrets, string CreatedAt, string UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool BuiltIn = false)
{
    public static ClientJson From(ClientInfo c, string? secret = null) => new(
        c.ClientId, c.Name, c.Type, c.GrantTypes, c.TokenEndpointAuthMethod, c.AllowedScopes, c.RedirectUris, c.PostLogoutRedirectUris,
        c.Jwks is null ? null : JsonDocument.Parse(c.Jwks).RootElement.Clone(), c.AccessTokenLifetimeSeconds, c.RateLimitPerMinute,
        c.RequireConsent, c.Disabled, c.Secrets.Select(s => new ClientSecretListing(s.Id, ApiDates.Iso(s.CreatedAt))).ToList(),
        ApiDates.Iso(c.CreatedAt), ApiDates.Iso(c.UpdatedAt), secret, ConsoleClient.Is(c.ClientId));
}

/// <summary>One secret in a client's listing: never the secret.</summary>
public sealed record ClientSecretListing(string Id, string CreatedAt);
