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
}

/// <summary>A change of the <c>sso</c> setting: <see cref="Value"/> null removes it.</summary>
[GenerateSerializer, Immutable]
public sealed record SsoSettingsChange([property: Id(0)] SsoSettings? Value);

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
        return null;
    }

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
