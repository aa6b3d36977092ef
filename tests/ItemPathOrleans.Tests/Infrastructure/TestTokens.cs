using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>
/// Makes tokens the way an attacker or a stale client would: signed with the tenant's real key
/// (the tests hold the master secret) but with claims of the test's choosing, or forged.
/// </summary>
public sealed class TestTokens(TenantInfo tenant)
{
    private static readonly SigningKeyDerivation Keys = new(Options.Create(TestSettings.Tokens()));
    private static readonly TokenMinter Minter = new(Keys, Options.Create(TestSettings.Tokens()));

    public static async Task<TestTokens> ForAsync(IGrainFactory grains, string tenant = "default") =>
        new((await grains.GetGrain<ITenantGrain>(tenant).Get())!);

    public byte[] Secret => Keys.SecretFor(tenant.Id, tenant.FindKey("k1")!)!;

    public string Mint(TokenDescriptor descriptor) => Minter.Mint(tenant, descriptor);

    /// <summary>Re-signs a token's claims with the same key after a change of the payload JSON.</summary>
    public string Resign(string token, Func<string, string> changePayload, string? header = null)
    {
        var parts = token.Split('.');
        var payload = changePayload(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])));
        var head = header ?? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0]));
        var signingInput = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(head))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}";
        var signature = HMACSHA256.HashData(Secret, Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }
}
