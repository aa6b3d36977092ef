using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Grains.Passwords;

/// <summary>Argon2id parameters; the OWASP minimum by default (19 MiB, 2 passes, 1 lane).</summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "Passwords";

    public int MemoryKib { get; set; } = 19_456;
    public int Iterations { get; set; } = 2;
    public int Parallelism { get; set; } = 1;

    /// <summary>Hashes run at once per silo; each holds <see cref="MemoryKib"/> of memory.</summary>
    public int MaxConcurrentHashes { get; set; } = Environment.ProcessorCount;

    public IEnumerable<string> Validate()
    {
        if (MemoryKib is < 8 * 1024 or > 1024 * 1024) yield return "Passwords:MemoryKib must be between 8192 and 1048576.";
        if (Iterations is < 1 or > 100) yield return "Passwords:Iterations must be between 1 and 100.";
        if (Parallelism is < 1 or > 16) yield return "Passwords:Parallelism must be between 1 and 16.";
        if (MaxConcurrentHashes is < 1 or > 1024) yield return "Passwords:MaxConcurrentHashes must be between 1 and 1024.";
    }
}

/// <summary>
/// Argon2id in the self-describing PHC string format
/// (<c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>), so the parameters travel with each hash
/// and can change later while old hashes still verify.
/// </summary>
public sealed class PasswordHasher(IOptions<PasswordHashingOptions> options)
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public string Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var o = options.Value;
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Compute(password, salt, o.MemoryKib, o.Iterations, o.Parallelism, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={o.MemoryKib},t={o.Iterations},p={o.Parallelism}${ToB64(salt)}${ToB64(hash)}");
    }

    /// <summary>
    /// Checks a password in constant time. <c>NeedsRehash</c> is true when the stored parameters
    /// differ from the configured ones.
    /// </summary>
    public PasswordCheck Verify(string password, string encoded)
    {
        if (!TryParse(encoded, out var p)) return new PasswordCheck(false, false);
        // Argon2 takes no empty password; an empty one costs the same hash and never matches.
        var actual = Compute(password.Length == 0 ? "\0" : password, p.Salt, p.MemoryKib, p.Iterations, p.Parallelism, p.Hash.Length);
        var matched = CryptographicOperations.FixedTimeEquals(actual, p.Hash) && password.Length > 0;
        var o = options.Value;
        var outdated = p.MemoryKib != o.MemoryKib || p.Iterations != o.Iterations || p.Parallelism != o.Parallelism;
        return new PasswordCheck(matched, matched && outdated);
    }

    /// <summary>Whether a stored or imported hash is one this hasher can verify (format and bounds).</summary>
    public static bool IsWellFormed(string encoded) => TryParse(encoded, out _);

    internal static bool TryParse(string encoded, out Argon2Parameters parameters)
    {
        parameters = default;
        // $argon2id$v=19$m=..,t=..,p=..$salt$hash
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != "v=19") return false;
        int m = 0, t = 0, p = 0;
        foreach (var kv in parts[3].Split(','))
        {
            var pair = kv.Split('=');
            if (pair.Length != 2 || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return false;
            switch (pair[0])
            {
                case "m": m = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
                default: return false;
            }
        }
        // Bounds keep a corrupt or hostile record from costing unbounded memory or time.
        if (m is < 8 or > 1024 * 1024 || t is < 1 or > 100 || p is < 1 or > 16) return false;
        var salt = FromB64(parts[4]);
        var hash = FromB64(parts[5]);
        if (salt is not { Length: >= 8 and <= 64 } || hash is not { Length: >= 16 and <= 64 }) return false;
        parameters = new Argon2Parameters(m, t, p, salt, hash);
        return true;
    }

    private static byte[] Compute(string password, byte[] salt, int memoryKib, int iterations, int parallelism, int length)
    {
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Argon2.Derive(bytes, salt, memoryKib, iterations, parallelism, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    // PHC strings use unpadded standard base64.
    private static string ToB64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[]? FromB64(string text)
    {
        var padded = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        try { return Convert.FromBase64String(padded); }
        catch (FormatException) { return null; }
    }
}

public readonly record struct PasswordCheck(bool Matched, bool NeedsRehash);

internal readonly record struct Argon2Parameters(int MemoryKib, int Iterations, int Parallelism, byte[] Salt, byte[] Hash);
