using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Tenants;

/// <summary>The tenant object: <c>{"id", "name", "disabled", "createdAt", "settings": {...}}</c>; the settings as stored, by their camelCase names.</summary>
public sealed record TenantJson(string Id, string Name, bool Disabled, string CreatedAt, TenantSettings Settings)
{
    // State stored before a setting existed reads null: the answer names its default.
    public static TenantJson From(TenantInfo t) =>
        new(t.Id, t.Name, t.Disabled, ApiDates.Iso(t.CreatedAt), t.Settings with { SigningAlgorithm = t.Settings.Algorithm, ApiScopes = t.Settings.Scopes, OauthPasswordGrant = t.Settings.PasswordGrantWithoutClient });
}
