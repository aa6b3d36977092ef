using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.ClusterNode.Tokens;

/// <summary>
/// Derives a tenant's signing secrets locally on every node: HKDF-SHA256 over the master secret,
/// the version's salt, and <c>tenant|kid</c> as info. Derived secrets are cached per version.
/// </summary>
public sealed class SigningKeyDerivation(IOptions<TokensOptions> options)
{
    // Keyed by the salt too: a version is only ever the same key if everything it derives from is.
    private readonly ConcurrentDictionary<(string Tenant, string Kid, string MasterKeyId, string Salt), byte[]> _secrets = new();

    /// <summary>The HS256 secret of one key version, or null when its master key is not configured.</summary>
    public byte[]? SecretFor(string tenant, SigningKeyVersion version)
    {
        var cacheKey = (tenant, version.Kid, version.MasterKeyId, Convert.ToBase64String(version.Salt));
        if (_secrets.TryGetValue(cacheKey, out var cached)) return cached;

        var master = options.Value.MasterKeys.FirstOrDefault(k => k.Id == version.MasterKeyId)?.SecretBytes();
        if (master is null) return null;

        var secret = Derive(master, version.Salt, tenant, version.Kid);
        _secrets.TryAdd(cacheKey, secret);
        return secret;
    }

    public static byte[] Derive(byte[] masterSecret, byte[] salt, string tenant, string kid) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, masterSecret, 32, salt, Encoding.UTF8.GetBytes($"{tenant}|{kid}"));
}
