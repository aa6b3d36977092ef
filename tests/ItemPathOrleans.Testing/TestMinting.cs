using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Testing;

/// <summary>A token minter and a tenant with one HS256 key version, for tests that mint without a cluster.</summary>
public static class TestMinting
{
    private static readonly SigningKeyVersion K1 = new("k1", TestSettings.MasterKeyId, new byte[32], DateTimeOffset.UnixEpoch, null);

    public static TokenMinter Minter { get; } = new(new SigningKeyDerivation(Options.Create(TestSettings.Tokens())), Options.Create(TestSettings.Tokens()));

    public static TenantInfo Tenant(TenantSettings? settings = null) =>
        new("acme", "Acme", false, DateTimeOffset.UnixEpoch, settings ?? TenantSettings.Default, [K1], "k1");
}
