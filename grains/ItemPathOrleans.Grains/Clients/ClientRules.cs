using System.Net;
using ItemPathOrleans.Contracts.Model;
using static ItemPathOrleans.Contracts.Model.ClientVocabulary;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// The rules of a client registration: a creation's defaults, a change applied over what is
/// stored, and every rule checked on the result, so a change can never leave a registration that
/// a creation would refuse. Each refusal names the field.
/// </summary>
public static class ClientRules
{
    public const int MaxNameLength = 128;
    public const int MaxUris = 20;
    public const int MaxUriLength = 2048;
    public const int MaxScopes = 100;
    public const int MinLifetime = 60, MaxLifetime = 86_400;
    public const int MinRate = 1, MaxRate = 1_000_000;

    /// <summary>A new registration from the fields given, or the first rule they break.</summary>
    public static (ClientInfo? Client, string? Error) Create(string tenant, string clientId, ClientFields f, TenantSettings settings, DateTimeOffset now)
    {
        if (!ClientVocabulary.IsClientId(clientId)) return (null, "clientId must match ^[A-Za-z0-9._~-]{1,128}$");
        if (f.Name is null) return (null, "Missing field: name");
        var type = f.Type ?? Confidential;
        var client = new ClientInfo(
            tenant, clientId, f.Name, type,
            f.GrantTypes ?? (type == Public ? [AuthorizationCode, RefreshToken] : [ClientCredentials]),
            f.TokenEndpointAuthMethod ?? (type == Public ? None : SecretBasic),
            f.AllowedScopes ?? [], f.RedirectUris ?? [], f.PostLogoutRedirectUris ?? [],
            f.Jwks, f.AccessTokenLifetimeSeconds, f.RateLimitPerMinute,
            f.RequireConsent ?? false, f.Disabled ?? false, now, now, []);
        return Checked(client, settings);
    }

    /// <summary>The registration with the fields given changed, or the first rule the result breaks.</summary>
    public static (ClientInfo? Client, string? Error) Change(ClientInfo before, ClientFields f, TenantSettings settings, DateTimeOffset now)
    {
        var typeChanged = f.Type is not null && f.Type != before.Type;
        var client = before with
        {
            Name = f.Name ?? before.Name,
            Type = f.Type ?? before.Type,
            GrantTypes = f.GrantTypes ?? before.GrantTypes,
            // A new type without a method of its own takes that type's default.
            TokenEndpointAuthMethod = f.TokenEndpointAuthMethod ?? (typeChanged ? (f.Type == Public ? None : SecretBasic) : before.TokenEndpointAuthMethod),
            AllowedScopes = f.AllowedScopes ?? before.AllowedScopes,
            RedirectUris = f.RedirectUris ?? before.RedirectUris,
            PostLogoutRedirectUris = f.PostLogoutRedirectUris ?? before.PostLogoutRedirectUris,
            Jwks = f.Cleared.Contains(ClientFields.JwksField) ? null : f.Jwks ?? before.Jwks,
            AccessTokenLifetimeSeconds = f.Cleared.Contains(ClientFields.AccessTokenLifetimeField) ? null : f.AccessTokenLifetimeSeconds ?? before.AccessTokenLifetimeSeconds,
            RateLimitPerMinute = f.Cleared.Contains(ClientFields.RateLimitField) ? null : f.RateLimitPerMinute ?? before.RateLimitPerMinute,
            RequireConsent = f.RequireConsent ?? before.RequireConsent,
            Disabled = f.Disabled ?? before.Disabled,
            UpdatedAt = now,
        };
        return Checked(client, settings);
    }

    private static (ClientInfo? Client, string? Error) Checked(ClientInfo c, TenantSettings settings)
    {
        var error = CheckName(c.Name) ?? CheckKind(c) ?? CheckScopes(c.AllowedScopes, settings)
            ?? CheckUris(c.RedirectUris, "redirectUris") ?? CheckUris(c.PostLogoutRedirectUris, "postLogoutRedirectUris")
            ?? (c.GrantTypes.Contains(AuthorizationCode) && c.RedirectUris.Count == 0 ? "redirectUris must name at least one URI for the authorization_code grant" : null)
            ?? (c.AccessTokenLifetimeSeconds is < MinLifetime or > MaxLifetime ? $"accessTokenLifetimeSeconds must be between {MinLifetime} and {MaxLifetime}" : null)
            ?? (c.RateLimitPerMinute is < MinRate or > MaxRate ? $"rateLimitPerMinute must be between {MinRate} and {MaxRate}" : null);
        if (error is not null) return (null, error);
        if (c.Jwks is not null)
        {
            var (jwks, invalid) = ClientJwks.Parse(c.Jwks);
            if (invalid is not null) return (null, invalid);
            c = c with { Jwks = jwks!.Json };
        }
        else if (c.TokenEndpointAuthMethod == PrivateKeyJwt)
        {
            return (null, "jwks is required for private_key_jwt");
        }
        return (c, null);
    }

    private static string? CheckName(string name) =>
        name.Length is 0 or > MaxNameLength || name.Any(char.IsControl) ? $"name must be 1 to {MaxNameLength} characters without control characters" : null;

    private static string? CheckKind(ClientInfo c)
    {
        if (!Types.Contains(c.Type)) return "type must be \"confidential\" or \"public\"";
        if (c.GrantTypes.Count == 0 || c.GrantTypes.Any(g => !GrantTypes.Contains(g)) || c.GrantTypes.Distinct().Count() != c.GrantTypes.Count)
            return $"grantTypes must list distinct values among {string.Join(", ", GrantTypes)}";
        if (!AuthMethods.Contains(c.TokenEndpointAuthMethod)) return $"tokenEndpointAuthMethod must be one of {string.Join(", ", AuthMethods)}";
        if (c.Type == Public)
        {
            if (c.TokenEndpointAuthMethod != None) return "tokenEndpointAuthMethod of a public client must be none";
            if (c.GrantTypes.Any(g => g is not (AuthorizationCode or RefreshToken))) return "grantTypes of a public client may only be authorization_code and refresh_token";
        }
        else if (c.TokenEndpointAuthMethod == None)
        {
            return "tokenEndpointAuthMethod of a confidential client must be client_secret_basic, client_secret_post or private_key_jwt";
        }
        return null;
    }

    private static string? CheckScopes(IReadOnlyList<string> scopes, TenantSettings settings)
    {
        if (scopes.Count > MaxScopes) return $"allowedScopes must list at most {MaxScopes} scopes";
        foreach (var scope in scopes)
        {
            if (!ApiScopeRules.Standard.Contains(scope) && settings.Scopes.All(s => s.Name != scope))
                return "allowedScopes must be scopes of the tenant (apiScopes) or openid, profile, email, offline_access";
        }
        return scopes.Distinct().Count() == scopes.Count ? null : "allowedScopes must not repeat a scope";
    }

    /// <summary>Absolute, no fragment, no user info; http only to a loopback host; never a scheme that runs or reads locally.</summary>
    private static string? CheckUris(IReadOnlyList<string> uris, string field)
    {
        if (uris.Count > MaxUris) return $"{field} must list at most {MaxUris} URIs";
        foreach (var text in uris)
        {
            if (text.Length is 0 or > MaxUriLength || text.Any(c => c is <= ' ' or > '~')
                || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Fragment.Length > 0 || text.Contains('#')
                || uri.UserInfo.Length > 0 || uri.Scheme is "javascript" or "data" or "file" or "vbscript" or "about" or "blob")
                return $"{field} must be absolute URIs of at most {MaxUriLength} characters, without fragment";
            if (uri.Scheme == "http" && !IsLoopback(uri)) return $"{field} may use http only for loopback hosts";
        }
        return uris.Distinct(StringComparer.Ordinal).Count() == uris.Count ? null : $"{field} must not repeat a URI";
    }

    private static bool IsLoopback(Uri uri) =>
        uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
