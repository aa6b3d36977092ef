using System.Security.Cryptography;
using ItemPathOrleans.Api.OpenId;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.UnitTests.Api.OpenId;

/// <summary>
/// An <c>id_token_hint</c> at sign-out, checked against a node's copy of the tenant's key ring.
/// A version's ID token key is made on its first need, perhaps through another node a moment
/// before: a hint signed with it is checked with a fresh copy, and only such a hint costs one.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class IdTokenHintTests
{
    private const string TenantId = "acme";
    private const string Issuer = "http://127.0.0.1:5080/acme";
    private static readonly MasterKey Master = new() { Id = TestSettings.MasterKeyId, Secret = TestSettings.MasterSecret };
    private static readonly IOptions<TokensOptions> Options = Microsoft.Extensions.Options.Options.Create(TestSettings.Tokens());
    private static readonly RsaSigningKeys RsaKeys = new(Options);
    private static readonly TokenMinter Minter = new(new SigningKeyDerivation(Options), Options, new EcSigningKeys(Options), RsaKeys);

    /// <summary>The ring as this node copied it before the first ID token: k1 without its ID token key.</summary>
    private static readonly TenantInfo Stale = new(TenantId, "Acme", false, DateTimeOffset.UnixEpoch, TenantSettings.Default,
        [new SigningKeyVersion("k1", Master.Id, RandomNumberGenerator.GetBytes(32), DateTimeOffset.UnixEpoch, null)], "k1");

    /// <summary>The ring after the first ID token: k1 with its ID token key, the tenant's version raised.</summary>
    private static readonly TenantInfo Fresh = Stale with { Keys = [RsaSigningKeys.WithCompanion(TenantId, Stale.Keys[0], Master)], Version = Stale.Version + 1 };

    private static readonly UserProfile Alice = new(TenantId, 7, "alice", "alice@example.com", UserTypes.User, UserStatus.Active, false,
        "en", "UTC", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static string IdToken(TenantInfo ring)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Minter.MintIdToken(ring, new IdTokenDescriptor("warehouse-spa", Alice, ["openid"], now, now + 300, now, null, "sid-web-1", null));
    }

    [Fact]
    public async Task A_hint_signed_with_a_key_this_nodes_copy_lacks_is_checked_with_a_fresh_copy()
    {
        var reloads = 0;
        var hint = await IdTokenHint.ValidateAsync(IdToken(Fresh), Stale, Issuer, RsaKeys, () => { reloads++; return ValueTask.FromResult<TenantInfo?>(Fresh); });

        Assert.Equal(new IdTokenHint("warehouse-spa", 7, "sid-web-1"), hint);
        Assert.Equal(1, reloads);
    }

    [Fact]
    public async Task A_hint_whose_key_the_fresh_copy_lacks_too_is_refused()
    {
        // Signed with an ID token key the tenant never had for k1 (another ring's).
        var foreign = Stale with { Keys = [RsaSigningKeys.WithCompanion(TenantId, Stale.Keys[0], Master)] };
        var reloads = 0;
        var hint = await IdTokenHint.ValidateAsync(IdToken(foreign), Stale, Issuer, RsaKeys, () => { reloads++; return ValueTask.FromResult<TenantInfo?>(Stale); });

        Assert.Null(hint);
        Assert.Equal(1, reloads);
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("e30.e30.e30")]
    [InlineData("eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vLXN1Y2gta2V5In0.e30.c2ln")]
    public async Task Other_hints_cost_no_reload(string text)
    {
        var hint = await IdTokenHint.ValidateAsync(text, Stale, Issuer, RsaKeys, () => throw new InvalidOperationException("reloaded"));

        Assert.Null(hint);
    }

    [Fact]
    public async Task A_hint_the_copy_can_check_costs_no_reload()
    {
        var hint = await IdTokenHint.ValidateAsync(IdToken(Fresh), Fresh, Issuer, RsaKeys, () => throw new InvalidOperationException("reloaded"));

        Assert.Equal(new IdTokenHint("warehouse-spa", 7, "sid-web-1"), hint);
    }
}
