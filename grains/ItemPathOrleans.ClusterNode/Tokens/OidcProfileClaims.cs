using System.Text.Json;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.ClusterNode.Tokens;

/// <summary>
/// The user's claims that OpenID Connect scopes release (OpenID Core §5.4), the same in an ID
/// token and at the userinfo endpoint: <c>profile</c> gives <c>preferred_username</c>,
/// <c>name</c> (both the username: there is no other name), <c>locale</c> and <c>zoneinfo</c>;
/// <c>email</c> gives <c>email</c> and <c>email_verified</c> (always false: addresses are never
/// verified here) when the user has an address.
/// </summary>
public static class OidcProfileClaims
{
    public const string ProfileScope = "profile";
    public const string EmailScope = "email";

    public const string PreferredUsername = "preferred_username";
    public const string Name = "name";
    public const string Email = "email";
    public const string EmailVerified = "email_verified";
    public const string Locale = "locale";
    public const string ZoneInfo = "zoneinfo";

    /// <summary>Every claim an ID token or the userinfo endpoint may carry, for the discovery document's <c>claims_supported</c>.</summary>
    public static IReadOnlyList<string> ClaimsSupported { get; } =
    [
        "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "at_hash",
        PreferredUsername, Name, Email, EmailVerified, Locale, ZoneInfo,
    ];

    /// <summary>Writes the claims <paramref name="scopes"/> release into the object <paramref name="w"/> is writing.</summary>
    public static void Write(Utf8JsonWriter w, UserProfile p, IReadOnlyCollection<string> scopes)
    {
        foreach (var (name, value) in Claims(p, scopes))
        {
            if (value is bool b) w.WriteBoolean(name, b);
            else w.WriteString(name, (string)value);
        }
    }

    /// <summary>The claims <paramref name="scopes"/> release, in the order <see cref="Write"/> writes them, for a JSON answer.</summary>
    public static IReadOnlyDictionary<string, object> ToDictionary(UserProfile p, IReadOnlyCollection<string> scopes)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in Claims(p, scopes)) claims[name] = value;
        return claims;
    }

    private static IEnumerable<(string Name, object Value)> Claims(UserProfile p, IReadOnlyCollection<string> scopes)
    {
        if (scopes.Contains(ProfileScope))
        {
            yield return (PreferredUsername, p.Username);
            yield return (Name, p.Username);
            if (!string.IsNullOrEmpty(p.Language)) yield return (Locale, p.Language);
            if (!string.IsNullOrEmpty(p.TimeZone)) yield return (ZoneInfo, p.TimeZone);
        }
        if (scopes.Contains(EmailScope) && !string.IsNullOrEmpty(p.Email))
        {
            yield return (Email, p.Email);
            yield return (EmailVerified, false);
        }
    }
}
