using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.ClusterNode.Tokens;

/// <summary>
/// ES256 key versions: a random P-256 key whose private scalar is stored encrypted with
/// AES-256-GCM under a key derived by HKDF-SHA256 from the master secret named by the version,
/// the version's salt and <c>tenant|kid|ES256</c> (the HS256 secret of the same version uses the
/// info <c>tenant|kid</c>: the two never coincide). The associated data binds the blob to
/// <c>tenant|kid</c>, so a blob copied to another version does not decrypt. The public key is
/// stored in the clear: API nodes validate and publish it without any secret.
/// </summary>
public sealed class EcSigningKeys(IOptions<TokensOptions> options)
{
    private const int ScalarBytes = 32, NonceBytes = 12, TagBytes = 16;

    private readonly ConcurrentDictionary<(string Tenant, string Kid, string MasterKeyId, string Salt), ECParameters> _private = new();
    private readonly ConcurrentDictionary<(string Tenant, string Kid, string Salt), ECParameters> _public = new();

    /// <summary>A new ES256 version of a tenant's ring, its private key encrypted with <paramref name="master"/>.</summary>
    public static SigningKeyVersion Create(string tenant, string kid, MasterKey master, DateTimeOffset now)
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ec.ExportParameters(includePrivateParameters: true);
        try
        {
            var wrapKey = WrapKey(master.SecretBytes() ?? throw new InvalidOperationException($"Master key '{master.Id}' is not valid base64."), salt, tenant, kid);
            var blob = new byte[NonceBytes + ScalarBytes + TagBytes];
            RandomNumberGenerator.Fill(blob.AsSpan(0, NonceBytes));
            using (var aes = new AesGcm(wrapKey, TagBytes))
            {
                aes.Encrypt(blob.AsSpan(0, NonceBytes), parameters.D, blob.AsSpan(NonceBytes, ScalarBytes), blob.AsSpan(NonceBytes + ScalarBytes), Binding(tenant, kid));
            }
            CryptographicOperations.ZeroMemory(wrapKey);
            return new SigningKeyVersion(kid, master.Id, salt, now, null, SigningAlgorithms.ES256, blob, [.. parameters.Q.X!, .. parameters.Q.Y!]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>
    /// The private key of an ES256 version, or null when its master key is not configured.
    /// Throws <see cref="CryptographicException"/> for a blob that does not decrypt (wrong master
    /// secret under a known id, or tampered state): never a silent fallback.
    /// </summary>
    public ECParameters? PrivateKey(string tenant, SigningKeyVersion version)
    {
        if (version.Alg != SigningAlgorithms.ES256 || version.EncryptedPrivateKey is not { Length: NonceBytes + ScalarBytes + TagBytes } blob || version.PublicKey is not { Length: 64 })
            throw new CryptographicException($"Key version '{version.Kid}' of '{tenant}' holds no ES256 key.");
        var cacheKey = (tenant, version.Kid, version.MasterKeyId, Convert.ToBase64String(version.Salt));
        if (_private.TryGetValue(cacheKey, out var cached)) return cached;

        var master = options.Value.MasterKeys.FirstOrDefault(k => k.Id == version.MasterKeyId)?.SecretBytes();
        if (master is null) return null;
        var wrapKey = WrapKey(master, version.Salt, tenant, version.Kid);
        var d = new byte[ScalarBytes];
        using (var aes = new AesGcm(wrapKey, TagBytes))
        {
            aes.Decrypt(blob.AsSpan(0, NonceBytes), blob.AsSpan(NonceBytes, ScalarBytes), blob.AsSpan(NonceBytes + ScalarBytes), d, Binding(tenant, version.Kid));
        }
        CryptographicOperations.ZeroMemory(wrapKey);
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = d,
            Q = new ECPoint { X = version.PublicKey[..32], Y = version.PublicKey[32..] },
        };
        parameters.Validate();
        _private.TryAdd(cacheKey, parameters);
        return parameters;
    }

    /// <summary>The public key of an ES256 version (no secret involved).</summary>
    public ECParameters PublicKey(string tenant, SigningKeyVersion version)
    {
        if (version.Alg != SigningAlgorithms.ES256 || version.PublicKey is not { Length: 64 } q)
            throw new CryptographicException($"Key version '{version.Kid}' of '{tenant}' holds no ES256 public key.");
        return _public.GetOrAdd((tenant, version.Kid, Convert.ToBase64String(version.Salt)), _ => new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = q[..32], Y = q[32..] },
        });
    }

    private static byte[] WrapKey(byte[] masterSecret, byte[] salt, string tenant, string kid) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterSecret, 32, salt, Encoding.UTF8.GetBytes($"{tenant}|{kid}|{SigningAlgorithms.ES256}"));

    private static byte[] Binding(string tenant, string kid) => Encoding.UTF8.GetBytes($"{tenant}|{kid}");
}
