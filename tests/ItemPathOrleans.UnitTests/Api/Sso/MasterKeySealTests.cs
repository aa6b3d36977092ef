using System.Text;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.UnitTests.Api.Sso;

/// <summary>
/// Values sealed under the master keys (a tenant's Entra client secret, a pending sign-in's state):
/// they open for their own purpose and tenant only, unaltered, through the addition of a master
/// key, and not once the key they were sealed under is gone.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class MasterKeySealTests
{
    private const int Max = 4_096;
    private static readonly MasterKey Old = Key("m1", 1);
    private static readonly MasterKey New = Key("m2", 2);

    private static MasterKey Key(string id, byte seed) =>
        new() { Id = id, Secret = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 13 + seed)).ToArray()) };

    private static MasterKeySeal With(params MasterKey[] keys) => new(Options.Create(new TokensOptions { MasterKeys = [.. keys] }));

    [Fact]
    public void A_sealed_value_opens_to_itself_and_does_not_show_it()
    {
        var seal = With(Old);
        var sealedValue = seal.Seal("secret", "acme", "Qx8~entra.Secret");
        Assert.DoesNotContain("Qx8~entra.Secret", sealedValue, StringComparison.Ordinal);
        Assert.Equal("Qx8~entra.Secret", seal.OpenString("secret", "acme", sealedValue, Max));
        // A fresh nonce each time: the same value seals differently.
        Assert.NotEqual(sealedValue, seal.Seal("secret", "acme", "Qx8~entra.Secret"));
    }

    [Fact]
    public void Another_purpose_or_tenant_opens_nothing()
    {
        var seal = With(Old);
        var sealedValue = seal.Seal("secret", "acme", "value");
        Assert.Null(seal.Open("state", "acme", sealedValue, Max));
        Assert.Null(seal.Open("secret", "globex", sealedValue, Max));
    }

    [Fact]
    public void An_altered_truncated_overlong_or_foreign_value_opens_nothing()
    {
        var seal = With(Old);
        var sealedValue = seal.Seal("secret", "acme", "value");
        var flipped = sealedValue[..^3] + (sealedValue[^3] == 'A' ? 'B' : 'A') + sealedValue[^2..];
        Assert.Null(seal.Open("secret", "acme", flipped, Max));
        Assert.Null(seal.Open("secret", "acme", sealedValue[..10], Max));
        Assert.Null(seal.Open("secret", "acme", sealedValue, sealedValue.Length - 1));
        Assert.Null(seal.Open("secret", "acme", "not base64url!", Max));
        Assert.Null(seal.Open("secret", "acme", null, Max));
        Assert.Null(seal.Open("secret", "acme", "", Max));
    }

    [Fact]
    public void A_value_sealed_under_an_older_master_key_opens_after_a_new_one_is_added_and_not_after_it_is_removed()
    {
        var before = With(Old).Seal("secret", "acme", Encoding.UTF8.GetBytes("value"));
        var afterAddition = With(Old, New);
        Assert.Equal("value", afterAddition.OpenString("secret", "acme", before, Max));
        // The newest master key seals from then on.
        var after = afterAddition.Seal("secret", "acme", "value");
        Assert.Null(With(Old).Open("secret", "acme", after, Max));
        Assert.Null(With(New).Open("secret", "acme", before, Max));
    }
}
