using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.ClusterNode.Tokens;

/// <summary>
/// The RSA-2048 companion of a key version, used only to sign OpenID Connect ID tokens (RS256)
/// and published in the JWKS as <c>{kid}-rs256</c>. Its private key (PKCS#1 DER) is stored
/// encrypted with AES-256-GCM under a key derived by HKDF-SHA256 from the version's master secret,
/// its salt and <c>tenant|kid|RS256</c> (distinct from the HS256 secret's <c>tenant|kid</c> and
/// the ES256 key's <c>tenant|kid|ES256</c>); the associated data binds the blob to <c>tenant|kid</c>.
/// The modulus is stored in the clear (the exponent is always 65537): API nodes publish it
/// without any secret.
/// </summary>
public sealed class RsaSigningKeys(IOptions<TokensOptions> options)
{
    public const int KeyBits = 2048;
    private const int NonceBytes = 12, TagBytes = 16;

    /// <summary>The JWK <c>e</c> of every companion: 65537.</summary>
    public static readonly byte[] Exponent = [0x01, 0x00, 0x01];

    private readonly ConcurrentDictionary<(string Tenant, string Kid, string MasterKeyId, string Salt, string Nonce), RSAParameters> _private = new();
    private readonly ConcurrentDictionary<(string Tenant, string Kid, string Modulus), RSAParameters> _public = new();

    /// <summary>The <c>kid</c> ID tokens signed by version <paramref name="kid"/>'s companion carry.</summary>
    public static string IdTokenKid(string kid) => $"{kid}-rs256";

    /// <summary>A new companion for version <paramref name="kid"/>, encrypted under <paramref name="master"/> and the version's <paramref name="salt"/>.</summary>
    public static (byte[] Encrypted, byte[] PublicModulus) Create(string tenant, string kid, byte[] salt, MasterKey master)
    {
        using var rsa = RSA.Create(KeyBits);
        var der = rsa.ExportRSAPrivateKey();
        try
        {
            var wrapKey = WrapKey(master.SecretBytes() ?? throw new InvalidOperationException($"Master key '{master.Id}' is not valid base64."), salt, tenant, kid);
            var blob = new byte[NonceBytes + der.Length + TagBytes];
            RandomNumberGenerator.Fill(blob.AsSpan(0, NonceBytes));
            using (var aes = new AesGcm(wrapKey, TagBytes))
            {
                aes.Encrypt(blob.AsSpan(0, NonceBytes), der, blob.AsSpan(NonceBytes, der.Length), blob.AsSpan(NonceBytes + der.Length), Binding(tenant, kid));
            }
            CryptographicOperations.ZeroMemory(wrapKey);
            return (blob, rsa.ExportParameters(includePrivateParameters: false).Modulus!);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>The version with a new companion, encrypted under <paramref name="master"/> (the version keeps its own master key id for its other key).</summary>
    public static SigningKeyVersion WithCompanion(string tenant, SigningKeyVersion version, MasterKey master)
    {
        // The companion is opened with the version's master key: a version derived from another
        // master key than the current one gets its companion under its own.
        if (master.Id != version.MasterKeyId) throw new InvalidOperationException($"Key version '{version.Kid}' uses master key '{version.MasterKeyId}', not '{master.Id}'.");
        var (encrypted, modulus) = Create(tenant, version.Kid, version.Salt, master);
        return version with { RsaEncryptedPrivateKey = encrypted, RsaPublicKey = modulus };
    }

    /// <summary>
    /// The private key of a version's companion, or null when its master key is not configured.
    /// Throws <see cref="CryptographicException"/> for a version without a companion or a blob that
    /// does not decrypt (wrong master secret under a known id, or tampered state): never a silent fallback.
    /// </summary>
    public RSAParameters? PrivateKey(string tenant, SigningKeyVersion version)
    {
        if (version.RsaEncryptedPrivateKey is not { Length: > NonceBytes + TagBytes } blob || version.RsaPublicKey is not { Length: KeyBits / 8 } modulus)
            throw new CryptographicException($"Key version '{version.Kid}' of '{tenant}' holds no RS256 key.");
        var cacheKey = (tenant, version.Kid, version.MasterKeyId, Convert.ToBase64String(version.Salt), Convert.ToBase64String(blob, 0, NonceBytes));
        if (_private.TryGetValue(cacheKey, out var cached)) return cached;

        var master = options.Value.MasterKeys.FirstOrDefault(k => k.Id == version.MasterKeyId)?.SecretBytes();
        if (master is null) return null;
        var wrapKey = WrapKey(master, version.Salt, tenant, version.Kid);
        var der = new byte[blob.Length - NonceBytes - TagBytes];
        try
        {
            using (var aes = new AesGcm(wrapKey, TagBytes))
            {
                aes.Decrypt(blob.AsSpan(0, NonceBytes), blob.AsSpan(NonceBytes, der.Length), blob.AsSpan(NonceBytes + der.Length), der, Binding(tenant, version.Kid));
            }
            using var rsa = RSA.Create();
            rsa.ImportRSAPrivateKey(der, out var read);
            if (read != der.Length) throw new CryptographicException($"Key version '{version.Kid}' of '{tenant}': the RS256 key has trailing bytes.");
            var parameters = rsa.ExportParameters(includePrivateParameters: true);
            // The stored modulus is what the JWKS publishes: a private key that does not match it would sign unverifiable tokens.
            if (!CryptographicOperations.FixedTimeEquals(parameters.Modulus, modulus) || !parameters.Exponent.AsSpan().SequenceEqual(Exponent))
                throw new CryptographicException($"Key version '{version.Kid}' of '{tenant}': the RS256 key does not match its public key.");
            _private.TryAdd(cacheKey, parameters);
            return parameters;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrapKey);
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>The public key of a version's companion (no secret involved).</summary>
    public RSAParameters PublicKey(string tenant, SigningKeyVersion version)
    {
        if (version.RsaPublicKey is not { Length: KeyBits / 8 } n)
            throw new CryptographicException($"Key version '{version.Kid}' of '{tenant}' holds no RS256 public key.");
        return _public.GetOrAdd((tenant, version.Kid, Convert.ToBase64String(n)), _ => new RSAParameters { Modulus = n, Exponent = Exponent });
    }

    private static byte[] WrapKey(byte[] masterSecret, byte[] salt, string tenant, string kid) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterSecret, 32, salt, Encoding.UTF8.GetBytes($"{tenant}|{kid}|{SigningAlgorithms.RS256}"));

    private static byte[] Binding(string tenant, string kid) => Encoding.UTF8.GetBytes($"{tenant}|{kid}");
}
