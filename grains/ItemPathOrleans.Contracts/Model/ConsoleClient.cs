namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The web console's client, built into every tenant: public, authorization code with PKCE and
/// refresh (rotated, as for every public client), its redirect URIs under the tenant's issuer,
/// matched exactly. It is never stored: the client grain of this id answers this registration,
/// and refuses to change or delete it, so the console works in every tenant without a step.
/// </summary>
public static class ConsoleClient
{
    public const string ClientId = "itempath-console";
    public const string Name = "ItemPath console";

    /// <summary>Where the console lives under an issuer, and its two redirect targets.</summary>
    public const string Path = "/console";
    public const string CallbackPath = "/console/callback";
    public const string SignedOutPath = "/console/signed-out";

    /// <summary>What an attempt to change, delete or add a secret to it is answered (409).</summary>
    public const string Unchangeable = "itempath-console is the console's built-in client: it cannot be changed or deleted";

    public static IReadOnlyList<string> Scopes { get; } = ["openid", "profile", "email", "offline_access"];

    public static bool Is(string? clientId) => string.Equals(clientId, ClientId, StringComparison.Ordinal);

    public static string Url(string issuer) => issuer + Path;

    public static string RedirectUri(string issuer) => issuer + CallbackPath;

    public static string PostLogoutRedirectUri(string issuer) => issuer + SignedOutPath;

    /// <summary>The registration in <paramref name="tenant"/>, whose issuer is <paramref name="issuer"/>; dated from the tenant's creation.</summary>
    public static ClientInfo For(string tenant, string issuer, DateTimeOffset since) => new(
        tenant, ClientId, Name, ClientVocabulary.Public,
        [ClientVocabulary.AuthorizationCode, ClientVocabulary.RefreshToken], ClientVocabulary.None,
        Scopes, [RedirectUri(issuer)], [PostLogoutRedirectUri(issuer)],
        Jwks: null, AccessTokenLifetimeSeconds: null, RateLimitPerMinute: null, RequireConsent: false, Disabled: false,
        CreatedAt: since, UpdatedAt: since, Secrets: []);
}
