using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// A tenant's single sign-on with Microsoft Entra ID: the authority its ID tokens come from, the
/// application (client) id they are issued to, and the Entra tenants whose people may sign in.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SsoSettings
{
    public const string DefaultUsernameClaim = "preferred_username";

    /// <summary>e.g. <c>https://login.microsoftonline.com/organizations/v2.0</c>.</summary>
    [Id(0)] public string Authority { get; init; } = "";
    [Id(1)] public string ClientId { get; init; } = "";
    /// <summary>Entra tenant ids (GUIDs, lower case): a token's <c>tid</c> must be one of them.</summary>
    [Id(2)] public IReadOnlyList<string> EntraTenantIds { get; init; } = [];
    /// <summary>The claim whose value is matched against usernames and emails at a first sign-in.</summary>
    [Id(3)] public string UsernameClaim { get; init; } = DefaultUsernameClaim;
    /// <summary>Unknown people are created (type user, no password) at their first sign-in.</summary>
    [Id(4)] public bool AutoProvision { get; init; }

    /// <summary>
    /// The application's client secret, for the sign-in page's "Sign in with Microsoft" (a
    /// confidential client's code flow), sealed by the API under a master key: what is stored is
    /// never the secret itself. Write-only: no answer holds it, sealed or not. Null: none.
    /// </summary>
    [Id(5), JsonIgnore] public string? SealedClientSecret { get; init; }

    /// <summary>What the tenant answer shows in the secret's place.</summary>
    public bool ClientSecretSet => SealedClientSecret is not null;

    // The sealed secret stays out of every log line and message dump.
    public override string ToString() =>
        $"SsoSettings {{ Authority = {Authority}, ClientId = {ClientId}, EntraTenantIds = [{string.Join(", ", EntraTenantIds)}], UsernameClaim = {UsernameClaim}, AutoProvision = {AutoProvision}, ClientSecretSet = {ClientSecretSet} }}";
}

/// <summary>
/// A change of the <c>sso</c> setting: <see cref="Value"/> null removes it.
/// <see cref="KeepClientSecret"/>: the change names no client secret, so the stored one stays
/// while the client id does (see <see cref="TenantSettingsPatch.KeepSsoClientSecret"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SsoSettingsChange([property: Id(0)] SsoSettings? Value, [property: Id(1)] bool KeepClientSecret = false);

/// <summary>
/// The shape of the <c>sso</c> setting. Which authority hosts a server may fetch from is the
/// API's configuration and is checked there.
/// </summary>
public static partial class SsoSettingsRules
{
    public const int MaxAuthorityLength = 512;
    public const int MaxClientIdLength = 256;
    public const int MaxEntraTenants = 100;
    public const int MaxClaimNameLength = 64;
    /// <summary>The longest client secret (Entra's are 40 characters).</summary>
    public const int MaxClientSecretLength = 512;
    /// <summary>The longest sealed form of a secret: the secret's UTF-8 bytes with a nonce and a tag, in base64url.</summary>
    public const int MaxSealedClientSecretLength = 1_024;

    public static string? Validate(SsoSettings? sso)
    {
        if (sso is null) return null;
        if (sso.Authority.Length is 0 or > MaxAuthorityLength
            || !Uri.TryCreate(sso.Authority, UriKind.Absolute, out var authority)
            || authority.Scheme is not ("https" or "http")
            || authority.UserInfo.Length > 0 || authority.Query.Length > 0 || authority.Fragment.Length > 0)
            return $"sso.authority must be an absolute https URL of at most {MaxAuthorityLength} characters, without query or fragment";
        if (sso.ClientId.Length is 0 or > MaxClientIdLength || !PrintableWord().IsMatch(sso.ClientId))
            return $"sso.clientId must be 1 to {MaxClientIdLength} printable characters without spaces";
        if (sso.EntraTenantIds.Count is 0 or > MaxEntraTenants || sso.EntraTenantIds.Any(id => !IsEntraTenantId(id)))
            return $"sso.entraTenantIds must list 1 to {MaxEntraTenants} Entra tenant ids (GUIDs)";
        if (sso.UsernameClaim.Length is 0 or > MaxClaimNameLength || !ClaimName().IsMatch(sso.UsernameClaim))
            return $"sso.usernameClaim must be a claim name of 1 to {MaxClaimNameLength} letters, digits, '_', '.', ':' or '-'";
        if (sso.SealedClientSecret is { Length: 0 or > MaxSealedClientSecretLength })
            return $"sso.clientSecret must be 1 to {MaxClientSecretLength} printable characters without spaces, or null";
        return null;
    }

    /// <summary>Whether <paramref name="secret"/> has a client secret's shape: 1 to <see cref="MaxClientSecretLength"/> printable ASCII characters, no spaces.</summary>
    public static bool IsClientSecret(string? secret) =>
        secret is { Length: > 0 and <= MaxClientSecretLength } && PrintableWord().IsMatch(secret);

    /// <summary>An Entra tenant id in its canonical form: a GUID, lower case, with hyphens.</summary>
    public static bool IsEntraTenantId(string? id) =>
        id is { Length: 36 } && Guid.TryParseExact(id, "D", out var guid) && guid.ToString("D") == id;

    /// <summary>A tenant id as an admin may write it (any case), in its canonical form; null if it is none.</summary>
    public static string? CanonicalTenantId(string? id) =>
        id is { Length: 36 } && Guid.TryParseExact(id, "D", out var guid) ? guid.ToString("D") : null;

    [GeneratedRegex(@"^[\x21-\x7E]+$")]
    private static partial Regex PrintableWord();

    [GeneratedRegex(@"^[A-Za-z0-9_.:\-]+$")]
    private static partial Regex ClaimName();
}
