using System.Text;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// Grain keys. Everything is keyed by tenant first, so nothing crosses tenants by construction.
/// </summary>
public static class GrainKeys
{
    public static string User(string tenant, int userId) => $"{tenant}/{userId}";

    public static (string Tenant, int UserId) ParseUser(string key)
    {
        var slash = key.LastIndexOf('/');
        return (key[..slash], int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Key of a registered client (client ids hold no '/').</summary>
    public static string Client(string tenant, string clientId) => $"{tenant}/{clientId}";

    public static (string Tenant, string ClientId) ParseClient(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>
    /// Key of an authorization code's grain: the tenant and the base64url SHA-256 of the code, so
    /// the code itself is never a key, a log line or a stored value.
    /// </summary>
    public static string Code(string tenant, string code) =>
        $"{tenant}/{System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(code)))}";

    public static string ParseCodeTenant(string key) => key[..key.IndexOf('/')];

    /// <summary>Key of the grain that owns a unique name (a username or an email) in a tenant.</summary>
    public static string UniqueName(string tenant, UniqueNameKind kind, string normalized) =>
        $"{tenant}/{(kind == UniqueNameKind.Username ? "u" : "e")}/{normalized}";

    /// <summary>
    /// Usernames and emails compare case-insensitively after Unicode NFKC.
    /// </summary>
    public static string NormalizeName(string name) =>
        TryNormalizeName(name, out var normalized) ? normalized : throw new ArgumentException("The name is not valid Unicode.", nameof(name));

    /// <summary>False for text Unicode cannot normalize (lone surrogates, noncharacters).</summary>
    public static bool TryNormalizeName(string name, out string normalized)
    {
        try
        {
            normalized = name.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
            return true;
        }
        catch (ArgumentException)
        {
            normalized = "";
            return false;
        }
    }
}

public enum UniqueNameKind
{
    Username,
    Email,
}
