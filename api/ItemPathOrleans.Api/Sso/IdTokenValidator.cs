using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// Validates a Microsoft Entra ID token (v2) against a tenant's <c>sso</c> setting (RFC 8725):
/// RS256 only, signed by a key of the authority's current key set (an unknown <c>kid</c> refetches
/// the set, rate-limited), the authority's issuer (Entra's <c>{tenantid}</c> template filled with
/// the token's <c>tid</c>), audience = the client id, lifetime with a small skew on the injected
/// clock, and <c>tid</c> among the tenant's Entra tenants, always, so a multi-tenant authority
/// never lets another organisation in. Only ID tokens: Entra's access tokens for an API whose
/// audience is the client id pass all of that, and are told apart by <c>scp</c>, <c>idtyp</c>,
/// <c>azp</c>/<c>appid</c> and the <c>typ</c> header. With a <c>nonce</c> from the request, the
/// token's must equal it. Refusals say what was wrong and never echo the token or its claims.
/// </summary>
public sealed class IdTokenValidator(OpenIdMetadataCache metadata, TimeProvider time, IOptions<SsoOptions> options)
{
    public const string Algorithm = SecurityAlgorithms.RsaSha256;
    /// <summary>The longest name claim worth handing on: the longest email (usernames are shorter).</summary>
    public const int MaxNameClaimLength = 254;
    private const string TenantTemplate = "{tenantid}";
    private static readonly JsonWebTokenHandler Handler = new() { MaximumTokenSizeInBytes = 16_384 };

    /// <param name="nonce">The request's <c>nonce</c>, or null when it sent none.</param>
    /// <exception cref="MetadataUnavailableException">The authority's metadata or keys cannot be fetched.</exception>
    public async Task<IdTokenCheck> ValidateAsync(string idToken, SsoSettings sso, string? nonce, CancellationToken cancellationToken)
    {
        JsonWebToken token;
        try
        {
            token = Handler.ReadJsonWebToken(idToken);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException or JsonException or FormatException)
        {
            return IdTokenCheck.Refused("ID token is malformed");
        }
        // Pinned before any key is looked at: never none, never HS256 with a public key as the secret.
        if (token.Alg != Algorithm) return IdTokenCheck.Refused("ID token algorithm must be RS256");
        if (string.IsNullOrEmpty(token.Kid)) return IdTokenCheck.Refused("ID token has no key id (kid)");
        var tid = SsoSettingsRules.CanonicalTenantId(StringClaim(token, "tid"));
        if (tid is null) return IdTokenCheck.Refused("ID token has no valid tid claim");
        var oid = SsoSettingsRules.CanonicalTenantId(StringClaim(token, "oid"));
        if (oid is null) return IdTokenCheck.Refused("ID token has no valid oid claim");

        var configuration = await metadata.GetAsync(sso.Authority, cancellationToken);
        var keys = KeysFor(configuration, token.Kid);
        if (keys.Count == 0)
        {
            // A key the provider rolled over to: one refetch, at most once a minute.
            if (await metadata.RefetchForUnknownKeyAsync(sso.Authority, configuration, cancellationToken) is not { } fresh)
                return IdTokenCheck.Refused("ID token signing key is unknown");
            configuration = fresh;
            keys = KeysFor(configuration, token.Kid);
            if (keys.Count == 0) return IdTokenCheck.Refused("ID token signing key is unknown");
        }

        var parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [Algorithm],
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidIssuer = configuration.Issuer.Replace(TenantTemplate, tid, StringComparison.OrdinalIgnoreCase),
            ValidateIssuer = true,
            ValidAudience = sso.ClientId,
            ValidateAudience = true,
            // Checked below on the injected clock, with messages of their own.
            ValidateLifetime = false,
            RequireExpirationTime = true,
            ValidateTokenReplay = false,
        };
        var result = await Handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) return IdTokenCheck.Refused(Describe(result.Exception));
        if (NotAnIdToken(token, sso.ClientId) is { } notAnIdToken) return IdTokenCheck.Refused(notAnIdToken);

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var skew = options.Value.ClockSkewSeconds;
        if (!token.TryGetPayloadValue<long>("exp", out var exp)) return IdTokenCheck.Refused("ID token has no expiry (exp)");
        if (now > exp + skew) return IdTokenCheck.Refused("ID token has expired");
        if (token.TryGetPayloadValue<long>("nbf", out var nbf) && now + skew < nbf) return IdTokenCheck.Refused("ID token is not yet valid");
        if (token.TryGetPayloadValue<long>("iat", out var iat) && now + skew < iat) return IdTokenCheck.Refused("ID token is not yet valid");

        if (!sso.EntraTenantIds.Contains(tid, StringComparer.Ordinal))
            return IdTokenCheck.Refused("ID token is from an Entra tenant this tenant does not accept");
        if (nonce is not null && !NonceMatches(token, nonce)) return IdTokenCheck.Refused("ID token nonce does not match");

        var use = new IdTokenUse(iat, SignedPartHash(idToken), exp + skew, Guid.NewGuid());
        return new IdTokenCheck(new SsoIdentity(tid, oid, NameClaim(StringClaim(token, sso.UsernameClaim))), use, null);
    }

    /// <summary>
    /// Why a token that passed signature, issuer and audience is not an ID token, or null. An Entra
    /// access token for the application's own API carries the client id as audience too: a
    /// delegated one has <c>scp</c>, an app-only one <c>idtyp</c> <c>app</c> (and app <c>roles</c>,
    /// which ID tokens carry as well, so roles alone prove nothing); <c>azp</c> (v2) or <c>appid</c>
    /// (v1) name the client that asked, which for an ID token is the application itself; and a
    /// <c>typ</c> header, when present, is Entra's <c>JWT</c>, not <c>at+jwt</c> (RFC 9068).
    /// </summary>
    private static string? NotAnIdToken(JsonWebToken token, string clientId)
    {
        if (Header(token, "typ") is { } typ && !(typ is string t && string.Equals(t, "JWT", StringComparison.OrdinalIgnoreCase)))
            return "Not an ID token: header typ must be JWT";
        if (Payload(token, "scp") is not null) return "Not an ID token: it carries scp (an access token)";
        if (Payload(token, "idtyp") is { } idtyp && !(idtyp is string i && !string.Equals(i, "app", StringComparison.OrdinalIgnoreCase)))
            return "Not an ID token: idtyp is app (an app-only access token)";
        foreach (var name in new[] { "azp", "appid" })
        {
            if (Payload(token, name) is { } client && !(client is string c && string.Equals(c, clientId, StringComparison.Ordinal)))
                return "Not an ID token: azp or appid is not this tenant's client id";
        }
        return null;
    }

    /// <summary>Compared as SHA-256 digests in constant time: neither the nonce's content nor its length shows in the timing.</summary>
    private static bool NonceMatches(JsonWebToken token, string expected) =>
        StringClaim(token, "nonce") is { } actual
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(actual)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>What identifies the token: its header and payload as signed (see <see cref="IdTokenUse"/>).</summary>
    private static string SignedPartHash(string idToken) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(idToken[..idToken.LastIndexOf('.')])));

    /// <summary>
    /// The name claim, or null when no username or email could equal it (blank, control
    /// characters, too long): such text is no claim, so it goes no further. The link grain applies
    /// the users API's own rules to what is left.
    /// </summary>
    private static string? NameClaim(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Length > MaxNameClaimLength || value.Any(char.IsControl) ? null : value;

    private static object? Header(JsonWebToken token, string name)
    {
        try
        {
            return token.TryGetHeaderValue<object>(name, out var value) ? value ?? "" : null;
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            return "";
        }
    }

    private static object? Payload(JsonWebToken token, string name)
    {
        try
        {
            return token.TryGetPayloadValue<object>(name, out var value) ? value ?? "" : null;
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            return "";
        }
    }

    private static List<SecurityKey> KeysFor(OpenIdConnectConfiguration configuration, string kid) =>
        configuration.SigningKeys
            .Where(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal) && IsRsa(k))
            .ToList();

    private static bool IsRsa(SecurityKey key) => key switch
    {
        RsaSecurityKey or X509SecurityKey => true,
        JsonWebKey jwk => jwk.Kty == JsonWebAlgorithmsKeyTypes.RSA,
        _ => false,
    };

    private static string? StringClaim(JsonWebToken token, string name)
    {
        try
        {
            return token.TryGetPayloadValue<string>(name, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenInvalidIssuerException => "ID token issuer is not the configured authority",
        SecurityTokenInvalidAudienceException => "ID token audience is not this tenant's client id",
        SecurityTokenInvalidAlgorithmException => "ID token algorithm must be RS256",
        SecurityTokenSignatureKeyNotFoundException => "ID token signing key is unknown",
        SecurityTokenInvalidSignatureException => "ID token signature verification failed",
        SecurityTokenNoExpirationException => "ID token has no expiry (exp)",
        SecurityTokenMalformedException or SecurityTokenInvalidTypeException => "ID token is malformed",
        _ => "ID token is not valid",
    };
}
