using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ItemPathOrleans.Grains.Clients;

/// <summary>
/// Client secrets: 256 random bits, shown once, stored as a SHA-256 digest. A secret of that
/// entropy cannot be guessed, so it needs no slow hash: a presented secret costs one SHA-256 and a
/// constant-time comparison with each stored digest, and a client without secrets (or an unknown
/// one) is compared with a dummy digest, so the answer takes the same time either way.
/// </summary>
public static class ClientSecrets
{
    /// <summary>Longest secret looked at: longer ones are refused without hashing.</summary>
    public const int MaxLength = 512;

    private static readonly byte[] Dummy = SHA256.HashData("no client has this secret"u8);

    public static (StoredClientSecret Stored, string Secret) Create(DateTimeOffset now)
    {
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9));
        return (new StoredClientSecret(id, Digest(secret), now), secret);
    }

    public static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether <paramref name="presented"/> is one of the secrets; every stored digest is compared, matched or not.</summary>
    public static bool Matches(string? presented, IReadOnlyList<StoredClientSecret> secrets)
    {
        var digest = Digest(presented is { Length: > 0 and <= MaxLength } ? presented : "");
        var match = false;
        foreach (var secret in secrets) match |= CryptographicOperations.FixedTimeEquals(digest, secret.Digest);
        if (secrets.Count == 0) _ = CryptographicOperations.FixedTimeEquals(digest, Dummy);
        return match && presented is { Length: > 0 and <= MaxLength };
    }
}
