using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.UnitTests.ClusterNode.Tokens;

/// <summary>ES256 key versions: the private key only ever stored encrypted, bound to its tenant and kid, opened only with its master key.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class EcSigningKeyTests
{
    private static readonly MasterKey Master = new() { Id = TestSettings.MasterKeyId, Secret = TestSettings.MasterSecret };

    private static EcSigningKeys Keys(params MasterKey[] masters) =>
        new(Options.Create(new TokensOptions { MasterKeys = masters.Length == 0 ? [Master] : [.. masters] }));

    [Fact]
    public void A_new_version_opens_with_its_master_key_and_signs_what_its_public_key_verifies()
    {
        var version = EcSigningKeys.Create("acme", "k2", Master, DateTimeOffset.UtcNow);
        Assert.Equal("ES256", version.Alg);
        Assert.Equal(Master.Id, version.MasterKeyId);

        var keys = Keys();
        var data = "payload"u8.ToArray();
        using var signer = ECDsa.Create(keys.PrivateKey("acme", version)!.Value);
        var signature = signer.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        using var verifier = ECDsa.Create(keys.PublicKey("acme", version));
        Assert.True(verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void The_stored_version_never_holds_the_private_scalar_in_the_clear()
    {
        var version = EcSigningKeys.Create("acme", "k2", Master, DateTimeOffset.UtcNow);
        var d = Keys().PrivateKey("acme", version)!.Value.D!;
        Assert.False(version.EncryptedPrivateKey!.AsSpan().IndexOf(d) >= 0);
        Assert.False(version.PublicKey!.AsSpan().IndexOf(d) >= 0);
        Assert.False(version.Salt.AsSpan().IndexOf(d) >= 0);
    }

    [Fact]
    public void A_blob_moved_to_another_tenant_or_kid_does_not_open()
    {
        var version = EcSigningKeys.Create("acme", "k2", Master, DateTimeOffset.UtcNow);
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("other", version));
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("acme", version with { Kid = "k3" }));
    }

    [Fact]
    public void Another_secret_under_the_same_master_key_id_or_a_changed_blob_fails_loudly()
    {
        var version = EcSigningKeys.Create("acme", "k2", Master, DateTimeOffset.UtcNow);
        var impostor = new MasterKey { Id = Master.Id, Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        Assert.ThrowsAny<CryptographicException>(() => Keys(impostor).PrivateKey("acme", version));

        var tampered = version.EncryptedPrivateKey!.ToArray();
        tampered[20] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Keys().PrivateKey("acme", version with { EncryptedPrivateKey = tampered }));
    }

    [Fact]
    public void A_version_whose_master_key_is_not_configured_has_no_private_key()
    {
        var other = new MasterKey { Id = "m-other", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var version = EcSigningKeys.Create("acme", "k2", other, DateTimeOffset.UtcNow);
        Assert.Null(Keys().PrivateKey("acme", version));
        Assert.NotNull(Keys(Master, other).PrivateKey("acme", version));
    }

    [Fact]
    public void The_minter_signs_ES256_with_the_header_of_the_version_and_HS256_tenants_are_unchanged()
    {
        var options = Options.Create(TestSettings.Tokens());
        var minter = new TokenMinter(new SigningKeyDerivation(options), options, Keys());
        var hs = new SigningKeyVersion("k1", Master.Id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UtcNow, null);
        var es = EcSigningKeys.Create("acme", "k2", Master, DateTimeOffset.UtcNow);
        var tenant = new TenantInfo("acme", "Acme", false, DateTimeOffset.UtcNow, TenantSettings.Default with { SigningAlgorithm = "ES256" }, [hs, es], "k2");
        var descriptor = new TokenDescriptor("access", "jti-1", "boss", 1_800_000_000, 1_800_000_900, 1, "sid-1");

        var token = minter.Mint(tenant, descriptor);
        var parts = token.Split('.');
        Assert.Equal("""{"typ":"JWT","alg":"ES256","kid":"k2"}""", Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])));
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length);
        using var verifier = ECDsa.Create(Keys().PublicKey("acme", es));
        Assert.True(verifier.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        var hsToken = minter.Mint(tenant with { CurrentKid = "k1", Settings = TenantSettings.Default }, descriptor);
        Assert.StartsWith(System.Buffers.Text.Base64Url.EncodeToString("""{"typ":"JWT","alg":"HS256","kid":"k1"}"""u8), hsToken);
        Assert.Equal(hsToken, minter.Mint(tenant with { CurrentKid = "k1", Settings = TenantSettings.Default }, descriptor));
    }
}
