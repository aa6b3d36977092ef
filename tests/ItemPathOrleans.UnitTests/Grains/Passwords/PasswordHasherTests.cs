using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.UnitTests.Grains.Passwords;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class PasswordHasherTests
{
    private static PasswordHasher Hasher(int memoryKib = 19_456, int iterations = 2) =>
        new(Options.Create(new PasswordHashingOptions { MemoryKib = memoryKib, Iterations = iterations, Parallelism = 1 }));

    [Fact]
    public void Hash_is_self_describing_argon2id_with_the_OWASP_minimum()
    {
        var hash = Hasher().Hash("correct horse");
        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", hash);
        Assert.Equal(6, hash.Split('$').Length);
    }

    [Fact]
    public void Verify_accepts_the_password_and_refuses_others()
    {
        var hasher = Hasher();
        var hash = hasher.Hash("correct horse");
        Assert.True(hasher.Verify("correct horse", hash).Matched);
        Assert.False(hasher.Verify("correct horsf", hash).Matched);
        Assert.False(hasher.Verify("", hash).Matched);
    }

    [Fact]
    public void Same_password_hashes_differently_each_time()
    {
        var hasher = Hasher();
        Assert.NotEqual(hasher.Hash("pw-12345678"), hasher.Hash("pw-12345678"));
    }

    [Fact]
    public void Hashes_made_with_older_parameters_still_verify_and_ask_for_a_rehash()
    {
        var old = Hasher(memoryKib: 8192, iterations: 1).Hash("correct horse");
        var current = Hasher();
        var check = current.Verify("correct horse", old);
        Assert.True(check.Matched);
        Assert.True(check.NeedsRehash);
        Assert.False(current.Verify("correct horse", current.Hash("correct horse")).NeedsRehash);
    }

    // The reference implementation's own test vector (phc-winner-argon2, test.c: Argon2id, version
    // 0x13): an 8-byte salt, so the managed implementation computes it.
    [Fact]
    public void The_reference_implementations_test_vector_verifies()
    {
        const string reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        Assert.True(Hasher().Verify("password", reference).Matched);
        Assert.False(Hasher().Verify("passwore", reference).Matched);
    }

    // libsodium computes every hash the service makes, the managed implementation those libsodium
    // cannot: the same bytes, whichever made a stored hash, from the smallest memory up.
    [Theory]
    [InlineData(8, 1, 16)]
    [InlineData(9, 2, 32)]
    [InlineData(17, 3, 33)]
    [InlineData(1023, 1, 64)]
    [InlineData(8192, 1, 32)]
    [InlineData(19_456, 2, 32)]
    public void Both_implementations_derive_the_same_bytes(int memoryKib, int iterations, int length)
    {
        var random = new Random(memoryKib * 31 + iterations);
        for (var i = 0; i < 3; i++)
        {
            var password = System.Text.Encoding.UTF8.GetBytes($"pässwörd-{random.Next()}");
            var salt = new byte[Argon2.NativeSaltBytes];
            random.NextBytes(salt);
            Assert.True(Argon2.NativeFits(salt.Length, 1, length));
            Assert.Equal(Argon2.Managed(password, salt, memoryKib, iterations, 1, length), Argon2.Native(password, salt, memoryKib, iterations, length));
        }
    }

    [Fact]
    public void A_new_hash_is_one_the_managed_implementation_verifies_too()
    {
        var hash = Hasher(memoryKib: 8192, iterations: 1).Hash("correct horse");
        Assert.True(PasswordHasher.TryParse(hash, out var p));
        Assert.Equal(p.Hash, Argon2.Managed("correct horse"u8.ToArray(), p.Salt, p.MemoryKib, p.Iterations, p.Parallelism, p.Hash.Length));
    }

    // Imported hashes libsodium cannot compute (more lanes, another salt length) still verify.
    [Theory]
    [InlineData(4, 16)]
    [InlineData(1, 8)]
    [InlineData(2, 32)]
    public void Hashes_with_more_lanes_or_another_salt_length_verify(int lanes, int saltBytes)
    {
        var salt = new byte[saltBytes];
        new Random(lanes * 100 + saltBytes).NextBytes(salt);
        Assert.False(Argon2.NativeFits(saltBytes, lanes, 32));
        var derived = Argon2.Managed("correct horse"u8.ToArray(), salt, 8192, 1, lanes, 32);
        var stored = $"$argon2id$v=19$m=8192,t=1,p={lanes}${B64(salt)}${B64(derived)}";
        Assert.True(Hasher().Verify("correct horse", stored).Matched);
        Assert.False(Hasher().Verify("correct horsf", stored).Matched);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA")]
    public void Corrupt_or_hostile_hashes_never_verify(string stored)
    {
        Assert.False(Hasher().Verify("anything", stored).Matched);
    }

    [Theory]
    [InlineData("short", "alice", "at least 8")]
    [InlineData("Alice-Smith", "alice-smith", "username")]
    [InlineData("password123", "alice", "common")]
    [InlineData("PASSWORD123", "alice", "common")]
    public void Weak_passwords_are_refused_naming_the_rule(string password, string username, string rule)
    {
        var error = PasswordPolicy.Check(password, username, TenantSettings.Default);
        Assert.NotNull(error);
        Assert.Contains(rule, error);
    }

    [Fact]
    public void Policy_accepts_a_decent_password_and_refuses_one_over_1024_characters()
    {
        Assert.Null(PasswordPolicy.Check("Tr0ub4dor&3-extra", "alice", TenantSettings.Default));
        Assert.Contains("1024", PasswordPolicy.Check(new string('x', 1025), "alice", TenantSettings.Default));
    }
}
