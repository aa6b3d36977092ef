using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Grains.Tokens;

/// <summary>What goes into one token; the minter adds the tenant's issuer, audience and key.</summary>
public readonly record struct TokenDescriptor(
    string Type,
    string Jti,
    string Identity,
    long IssuedAt,
    long? ExpiresAt,
    int UserId,
    string SessionId,
    string? ClientId = null,
    string? Scope = null);

/// <summary>What goes into one client token (RFC 9068): the minter adds the tenant's issuer, audience and key.</summary>
public readonly record struct ClientTokenDescriptor(string ClientId, string Jti, string Scope, long IssuedAt, long ExpiresAt);

/// <summary>
/// Mints JWS compact tokens with the claims in the ItemPath order (<c>fresh, iat, jti,
/// type, identity, nbf, exp</c>, then <c>tid, uid, sid, iss, aud, sub</c>), signed by the
/// tenant's current key version.
/// <para>
/// Access and application tokens are for resource servers: audience <c>Tokens:Audience</c>,
/// signed with the version's algorithm (ES256 ones verify with the published JWKS). Refresh tokens
/// are for this service alone: their audience is the tenant's issuer (the authorization server),
/// so no resource server that checks <c>aud</c> takes one, and they are always HS256 with the
/// version's symmetric secret, so in an ES256 tenant they do not verify with the JWKS at all.
/// </para>
/// HS256 minting is deterministic: the same descriptor and key give the same bytes, which lets a
/// refresh replay re-sign a successor (refresh token and, in HS256 tenants, access token) instead
/// of storing it. ES256 signatures are randomized (ECDSA): a replayed ES256 access token has the
/// same header and claims under a new, equally valid signature.
/// </summary>
public sealed class TokenMinter(SigningKeyDerivation keys, IOptions<TokensOptions> options, EcSigningKeys? ecKeys = null)
{
    private readonly EcSigningKeys _ecKeys = ecKeys ?? new EcSigningKeys(options);
    // ECDsa instances are not documented as safe for concurrent use: each signer is used by one caller at a time.
    private readonly ConcurrentDictionary<(string Tenant, string Kid, string Salt), ConcurrentBag<ECDsa>> _signers = new();

    public string Mint(TenantInfo tenant, in TokenDescriptor token)
    {
        var key = CurrentKey(tenant);
        var alg = token.Type == TokenClaims.RefreshType ? SigningAlgorithms.HS256 : key.Alg;
        // A client's access token to a user's API (authorization code flow) is typed as RFC 9068 says.
        var typ = token.Type == TokenClaims.AccessType && token.ClientId is not null ? TokenClaims.ClientTokenTyp : TokenClaims.UserTokenTyp;
        return Sign(tenant, key, alg, typ, Payload(tenant.Id, token));
    }

    /// <summary>
    /// A client's access token (RFC 9068): <c>typ</c> <c>at+jwt</c>, the tenant's algorithm and
    /// current key, claims <c>iss, sub, aud, exp, iat, jti, client_id, scope, tid</c>. It carries no
    /// <c>uid</c>, <c>type</c> or <c>identity</c>: no user endpoint can take it for a user's.
    /// </summary>
    public string MintClientAccess(TenantInfo tenant, in ClientTokenDescriptor token)
    {
        var key = CurrentKey(tenant);
        return Sign(tenant, key, key.Alg, TokenClaims.ClientTokenTyp, ClientPayload(tenant.Id, token));
    }

    private static SigningKeyVersion CurrentKey(TenantInfo tenant) =>
        tenant.FindKey(tenant.CurrentKid) ?? throw new InvalidOperationException($"Tenant '{tenant.Id}' has no signing key '{tenant.CurrentKid}'.");

    private string Sign(TenantInfo tenant, SigningKeyVersion key, string alg, string typ, byte[] payload)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        AppendBase64Url(buffer, Header(key.Kid, alg, typ));
        buffer.Write("."u8);
        AppendBase64Url(buffer, payload);
        var signature = alg == SigningAlgorithms.ES256 ? SignEs256(tenant.Id, key, buffer.WrittenSpan) : SignHs256(tenant.Id, key, buffer.WrittenSpan);
        buffer.Write("."u8);
        AppendBase64Url(buffer, signature);
        return System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    private byte[] SignHs256(string tenant, SigningKeyVersion key, ReadOnlySpan<byte> input)
    {
        var secret = keys.SecretFor(tenant, key)
                     ?? throw new SigningKeyUnavailableException($"Tenant '{tenant}': master key '{key.MasterKeyId}' of signing key {key.Kid} is not configured.");
        return HMACSHA256.HashData(secret, input);
    }

    /// <summary>JWS ES256: the IEEE P1363 form, r and s of 32 bytes each (RFC 7518 §3.4).</summary>
    private byte[] SignEs256(string tenant, SigningKeyVersion key, ReadOnlySpan<byte> input)
    {
        var pool = _signers.GetOrAdd((tenant, key.Kid, Convert.ToBase64String(key.Salt)), _ => []);
        if (!pool.TryTake(out var signer))
        {
            var parameters = _ecKeys.PrivateKey(tenant, key)
                             ?? throw new SigningKeyUnavailableException($"Tenant '{tenant}': master key '{key.MasterKeyId}' of signing key {key.Kid} is not configured.");
            signer = ECDsa.Create(parameters);
        }
        try
        {
            return signer.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            pool.Add(signer);
        }
    }

    private static byte[] Header(string kid, string alg, string typ)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("typ", typ);
            w.WriteString("alg", alg);
            w.WriteString("kid", kid);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private byte[] Payload(string tenant, in TokenDescriptor t)
    {
        var o = options.Value;
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean(TokenClaims.Fresh, false);
            w.WriteNumber(TokenClaims.IssuedAt, t.IssuedAt);
            w.WriteString(TokenClaims.Id, t.Jti);
            w.WriteString(TokenClaims.Type, t.Type);
            w.WriteString(TokenClaims.Identity, t.Identity);
            w.WriteNumber(TokenClaims.NotBefore, t.IssuedAt);
            if (t.ExpiresAt is { } exp) w.WriteNumber(TokenClaims.Expires, exp);
            w.WriteString(TokenClaims.Tenant, tenant);
            w.WriteNumber(TokenClaims.UserId, t.UserId);
            w.WriteString(TokenClaims.SessionId, t.SessionId);
            var issuer = o.IssuerFor(tenant);
            w.WriteString(TokenClaims.Issuer, issuer);
            w.WriteString(TokenClaims.Audience, t.Type == TokenClaims.RefreshType ? issuer : o.Audience);
            w.WriteString(TokenClaims.Subject, t.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (t.Type == TokenClaims.AccessType && t.ClientId is not null)
            {
                w.WriteString(TokenClaims.ClientId, t.ClientId);
                w.WriteString(TokenClaims.Scope, t.Scope ?? "");
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private byte[] ClientPayload(string tenant, in ClientTokenDescriptor t)
    {
        var o = options.Value;
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString(TokenClaims.Issuer, o.IssuerFor(tenant));
            w.WriteString(TokenClaims.Subject, t.ClientId);
            w.WriteString(TokenClaims.Audience, o.Audience);
            w.WriteNumber(TokenClaims.Expires, t.ExpiresAt);
            w.WriteNumber(TokenClaims.IssuedAt, t.IssuedAt);
            w.WriteString(TokenClaims.Id, t.Jti);
            w.WriteString(TokenClaims.ClientId, t.ClientId);
            w.WriteString(TokenClaims.Scope, t.Scope);
            w.WriteString(TokenClaims.Tenant, tenant);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void AppendBase64Url(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> data)
    {
        var span = buffer.GetSpan(Base64Url.GetEncodedLength(data.Length));
        var written = Base64Url.EncodeToUtf8(data, span);
        buffer.Advance(written);
    }

    // ID tokens (OpenID Connect): RS256 with the RSA companion of the current key version.

    private readonly RsaSigningKeys? _injectedRsaKeys;
    private RsaSigningKeys? _ownRsaKeys;
    // RSA instances, like the ECDsa signers, are used by one caller at a time.
    private readonly ConcurrentDictionary<(string Tenant, string Kid, string Salt, string Modulus), ConcurrentBag<RSA>> _rsaSigners = new();

    /// <summary>The minter with the node's <see cref="RsaSigningKeys"/> (the one dependency injection picks).</summary>
    public TokenMinter(SigningKeyDerivation keys, IOptions<TokensOptions> options, EcSigningKeys ecKeys, RsaSigningKeys rsaKeys)
        : this(keys, options, ecKeys)
    {
        _injectedRsaKeys = rsaKeys;
    }

    private RsaSigningKeys RsaKeys => _injectedRsaKeys ?? LazyInitializer.EnsureInitialized(ref _ownRsaKeys, () => new RsaSigningKeys(options));

    /// <summary>
    /// An OpenID Connect ID token (OpenID Core §2): header <c>{"typ":"JWT","alg":"RS256","kid":"{kid}-rs256"}</c>
    /// naming the RSA companion of the tenant's current key version, whatever the tenant's
    /// algorithm; claims <c>iss, sub, aud, exp, iat, auth_time</c>, <c>nonce</c> when given,
    /// <c>sid</c>, <c>at_hash</c> when an access token is given (§3.1.3.6), then the profile claims
    /// the scopes release (<see cref="OidcProfileClaims"/>). It carries no <c>tid</c>, <c>uid</c> or
    /// <c>type</c> and its audience is the client: no endpoint of this service takes it as an
    /// access token, and its <c>kid</c> is in no key ring the API validates access tokens with.
    /// </summary>
    /// <exception cref="SigningKeyUnavailableException">
    /// The current version has no RSA companion (a version stored before ID tokens existed) or
    /// its master key is not configured on this node. Callers call
    /// <c>ITenantGrain.EnsureIdTokenKey</c>, hand its answer to their <c>TenantCache</c>, and mint
    /// again with that tenant; a second failure is a missing master key (an operator's matter).
    /// </exception>
    public string MintIdToken(TenantInfo tenant, in IdTokenDescriptor token)
    {
        var key = CurrentKey(tenant);
        if (!key.HasIdTokenKey)
            throw new SigningKeyUnavailableException($"Tenant '{tenant.Id}': signing key {key.Kid} has no ID token key yet.");
        var buffer = new ArrayBufferWriter<byte>(1024);
        AppendBase64Url(buffer, Header(RsaSigningKeys.IdTokenKid(key.Kid), SigningAlgorithms.RS256, TokenClaims.UserTokenTyp));
        buffer.Write("."u8);
        AppendBase64Url(buffer, IdTokenPayload(tenant.Id, token));
        var signature = SignRs256(tenant.Id, key, buffer.WrittenSpan);
        buffer.Write("."u8);
        AppendBase64Url(buffer, signature);
        return System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// <c>at_hash</c> (OpenID Core §3.1.3.6): base64url of the left half of the SHA-256 of the
    /// access token's ASCII bytes (SHA-256 being the hash of RS256).
    /// </summary>
    public static string AccessTokenHash(string accessToken)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(accessToken), hash);
        return Base64Url.EncodeToString(hash[..(SHA256.HashSizeInBytes / 2)]);
    }

    private byte[] IdTokenPayload(string tenant, in IdTokenDescriptor t)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString(TokenClaims.Issuer, options.Value.IssuerFor(tenant));
            w.WriteString(TokenClaims.Subject, t.Profile.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString(TokenClaims.Audience, t.ClientId);
            w.WriteNumber(TokenClaims.Expires, t.ExpiresAt);
            w.WriteNumber(TokenClaims.IssuedAt, t.IssuedAt);
            w.WriteNumber("auth_time", t.AuthTime);
            if (t.Nonce is { } nonce) w.WriteString("nonce", nonce);
            w.WriteString(TokenClaims.SessionId, t.Sid);
            if (t.AccessToken is { } accessToken) w.WriteString("at_hash", AccessTokenHash(accessToken));
            OidcProfileClaims.Write(w, t.Profile, t.Scopes);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>JWS RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).</summary>
    private byte[] SignRs256(string tenant, SigningKeyVersion key, ReadOnlySpan<byte> input)
    {
        // Keyed by the stored modulus too: a companion given to a version is a new signer.
        var pool = _rsaSigners.GetOrAdd((tenant, key.Kid, Convert.ToBase64String(key.Salt), Convert.ToBase64String(key.RsaPublicKey!, 0, 16)), _ => []);
        if (!pool.TryTake(out var signer))
        {
            var parameters = RsaKeys.PrivateKey(tenant, key)
                             ?? throw new SigningKeyUnavailableException($"Tenant '{tenant}': master key '{key.MasterKeyId}' of signing key {key.Kid} is not configured.");
            signer = RSA.Create(parameters);
        }
        try
        {
            return signer.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            pool.Add(signer);
        }
    }
}
