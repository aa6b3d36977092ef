using System.Security.Cryptography;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.UnitTests.ClusterNode.Tokens;

/// <summary>The RSA companion of a key version: stored only encrypted, bound to its tenant and kid, opened only with its master key.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class RsaSigningKeyTests
{
    private static readonly MasterKey Master = new() { Id = TestSettings.MasterKeyId, Secret = TestSettings.MasterSecret };

    // One RSA-2048 generation is slow enough to share.
    private static readonly SigningKeyVersion Version =
        RsaSigningKeys.WithCompanion("acme", new SigningKeyVersion("k2", Master.Id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UnixEpoch, null), Master);

    private static RsaSigningKeys Keys(params MasterKey[] masters) =>
        new(Options.Create(new TokensOptions { MasterKeys = masters.Length == 0 ? [Master] : [.. masters] }));

    [Fact]
    public void A_companion_opens_with_its_master_key_and_signs_what_its_public_key_verifies()
    {
        Assert.True(Version.HasIdTokenKey);
        Assert.Equal("HS256", Version.Alg);
        Assert.Equal(256, Version.RsaPublicKey!.Length);

        var keys = Keys();
        var data = "payload"u8.ToArray();
        using var signer = RSA.Create(keys.PrivateKey("acme", Version)!.Value);
        Assert.Equal(2048, signer.KeySize);
        var signature = signer.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        var published = keys.PublicKey("acme", Version);
        Assert.Equal(Version.RsaPublicKey, published.Modulus);
        Assert.Equal([1, 0, 1], published.Exponent!);
        Assert.Null(published.D);
        using var verifier = RSA.Create(published);
        Assert.True(verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void The_stored_version_never_holds_the_private_key_in_the_clear()
    {
        var p = Keys().PrivateKey("acme", Version)!.Value;
        foreach (var secret in new[] { p.D!, p.P!, p.Q! })
        {
            Assert.False(Version.RsaEncryptedPrivateKey!.AsSpan().IndexOf(secret) >= 0);
            Assert.False(Version.RsaPublicKey!.AsSpan().IndexOf(secret) >= 0);
        }
    }

    [Fact]
    public void A_blob_moved_to_another_tenant_or_kid_does_not_open()
    {
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("other", Version));
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("acme", Version with { Kid = "k3" }));
        // Nor under another salt (another version's, with the same kid in another ring).
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("acme", Version with { Salt = RandomNumberGenerator.GetBytes(32) }));
    }

    [Fact]
    public void Another_secret_under_the_same_master_key_id_or_a_changed_blob_fails_loudly()
    {
        var impostor = new MasterKey { Id = Master.Id, Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        Assert.ThrowsAny<CryptographicException>(() => Keys(impostor).PrivateKey("acme", Version));

        var tampered = Version.RsaEncryptedPrivateKey!.ToArray();
        tampered[200] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("acme", Version with { RsaEncryptedPrivateKey = tampered }));
    }

    [Fact]
    public void A_private_key_that_does_not_match_the_published_modulus_is_refused()
    {
        var other = RsaSigningKeys.WithCompanion("acme", Version with { RsaEncryptedPrivateKey = null, RsaPublicKey = null }, Master);
        Assert.NotEqual(Version.RsaPublicKey, other.RsaPublicKey);
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("acme", other with { RsaPublicKey = Version.RsaPublicKey }));
    }

    [Fact]
    public void A_version_without_a_companion_has_no_RSA_key_at_all()
    {
        var bare = Version with { RsaEncryptedPrivateKey = null, RsaPublicKey = null };
        Assert.False(bare.HasIdTokenKey);
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("acme", bare));
        Assert.ThrowsAny<CryptographicException>(() => Keys().PublicKey("acme", bare));
    }

    [Fact]
    public void A_companion_whose_master_key_is_not_configured_has_no_private_key()
    {
        var other = new MasterKey { Id = "m-other", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var version = RsaSigningKeys.WithCompanion("acme", new SigningKeyVersion("k1", other.Id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UnixEpoch, null), other);
        Assert.Null(Keys().PrivateKey("acme", version));
        Assert.NotNull(Keys(Master, other).PrivateKey("acme", version));
        // The public key needs no secret.
        Assert.Equal(version.RsaPublicKey, Keys().PublicKey("acme", version).Modulus);
    }

    [Fact]
    public void A_companion_is_made_under_its_version_s_own_master_key()
    {
        var other = new MasterKey { Id = "m-other", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        Assert.Throws<InvalidOperationException>(() => RsaSigningKeys.WithCompanion("acme", Version with { RsaEncryptedPrivateKey = null, RsaPublicKey = null }, other));
    }

    [Fact]
    public void The_companion_of_an_ES256_version_leaves_its_EC_key_as_it_was()
    {
        var es = EcSigningKeys.Create("acme", "k3", Master, DateTimeOffset.UnixEpoch);
        var both = RsaSigningKeys.WithCompanion("acme", es, Master);
        Assert.Equal((es.EncryptedPrivateKey, es.PublicKey, es.Salt), (both.EncryptedPrivateKey, both.PublicKey, both.Salt));
        var options = Options.Create(new TokensOptions { MasterKeys = [Master] });
        Assert.NotNull(new EcSigningKeys(options).PrivateKey("acme", both));
        Assert.NotNull(Keys().PrivateKey("acme", both));
        Assert.Equal("k3-rs256", RsaSigningKeys.IdTokenKid(both.Kid));
    }
}
