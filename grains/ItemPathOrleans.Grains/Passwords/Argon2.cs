namespace ItemPathOrleans.Grains.Passwords;

/// <summary>
/// Argon2id (RFC 9106, version 0x13) by two implementations that give the same bytes.
/// libsodium's (through NSec) serves every hash this service makes: one lane and a 16-byte salt.
/// It works in native memory that it frees at once, and its SIMD code hashes faster: a third of the
/// managed implementation's time for one hash alone, about 1.3 times its hashes per second with
/// every core busy (docs/benchmark.md). The managed implementation (Konscious) serves what libsodium
/// cannot: hashes imported with more lanes or another salt length. Unit tests hold the two to
/// each other and to the reference implementation's test vector.
/// </summary>
internal static class Argon2
{
    /// <summary>libsodium's only salt length.</summary>
    internal const int NativeSaltBytes = 16;

    public static byte[] Derive(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) =>
        NativeFits(salt.Length, parallelism, length)
            ? Native(password, salt, memoryKib, iterations, length)
            : Managed(password, salt, memoryKib, iterations, parallelism, length);

    /// <summary>What libsodium takes: one lane, a 16-byte salt, 16 bytes of output or more (memory and passes are bounded by the PHC parser).</summary>
    internal static bool NativeFits(int saltBytes, int parallelism, int length) =>
        parallelism == 1 && saltBytes == NativeSaltBytes && length >= 16;

    internal static byte[] Native(byte[] password, byte[] salt, int memoryKib, int iterations, int length)
    {
        var algorithm = NSec.Cryptography.PasswordBasedKeyDerivationAlgorithm.Argon2id(
            new NSec.Cryptography.Argon2Parameters { DegreeOfParallelism = 1, MemorySize = memoryKib, NumberOfPasses = iterations });
        return algorithm.DeriveBytes(password, salt, length);
    }

    internal static byte[] Managed(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length)
    {
        using var argon = new Konscious.Security.Cryptography.Argon2id(password)
        {
            Salt = salt,
            MemorySize = memoryKib,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(length);
    }
}
