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
