using System.Buffers.Text;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Keys;

/// <summary>
/// A tenant's signing keys: rotation and retirement on its tenant grain (a cluster that does not
/// answer is a 503, <see cref="ClusterCalls"/>; the change applies to this node's tenant cache at
/// once), and the public key set it publishes.
/// </summary>
public sealed class SigningKeyClient(IGrainFactory grains, TenantCache tenants, TenantCatalogCache catalog, IOptions<TenancyOptions> tenancy, EcSigningKeys keys, RsaSigningKeys rsaKeys)
{
    /// <summary>A new current key version of the tenant's algorithm.</summary>
    public async Task<TenantInfo> RotateAsync(TenantInfo tenant)
    {
        var updated = await ClusterCalls.OnceAsync(() => grains.Tenant(tenant.Id).RotateKey());
        tenants.Update(updated);
        return updated;
    }

    /// <summary>
    /// The tenant with an ID token key for its current version (versions stored before ID tokens
    /// existed have none), taken into this node's tenant cache at once.
    /// </summary>
    public async Task<TenantInfo> EnsureIdTokenKeyAsync(TenantInfo tenant)
    {
        if (tenant.FindKey(tenant.CurrentKid)?.HasIdTokenKey == true) return tenant;
        // Idempotent: a call Orleans did not deliver is simply made again.
        var updated = await ClusterCalls.RepeatableAsync(() => grains.Tenant(tenant.Id).EnsureIdTokenKey());
        tenants.Update(updated);
        return updated;
    }

    /// <summary>Retires a key version: the tokens it signed stop working.</summary>
    public async Task<(TenantInfo? Tenant, KeyRetireError Error)> RetireAsync(TenantInfo tenant, string kid)
    {
        var (updated, error) = await ClusterCalls.OnceAsync(() => grains.Tenant(tenant.Id).RetireKey(kid));
        if (error == KeyRetireError.None) tenants.Update(updated!);
        return (updated, error);
    }

    /// <summary>
    /// A tenant named in a path that publishes its keys here: known, enabled, and, for the operator
    /// tenant, asked on its host. Like tenant resolution, from the cached list, so a random id costs no grain call.
    /// </summary>
    public async Task<TenantInfo?> FindPublishingAsync(string tenant, string host)
    {
        var entry = TenantIds.IsValid(tenant) ? await catalog.FindAsync(tenant) : null;
        var info = entry is { Disabled: false } ? await tenants.FindAsync(tenant) : null;
        var o = tenancy.Value;
        var offHost = tenant == o.OperatorTenant && !string.IsNullOrEmpty(o.OperatorHost)
                      && !string.Equals(host, o.OperatorHost, StringComparison.OrdinalIgnoreCase);
        return info is null || info.Disabled || offHost ? null : info;
    }

    /// <summary>
    /// The public keys of the tenant's versions that still validate: an ES256 version's P-256 key
    /// (in an ES256 tenant: an HS256 version's key is a secret, and an HS256 tenant refuses ES256
    /// tokens), and every version's RSA companion, which signs ID tokens (RS256) whatever the
    /// tenant's algorithm, as <c>{kid}-rs256</c>. A retired version publishes nothing.
    /// </summary>
    public JwksJson PublicKeys(TenantInfo tenant)
    {
        var set = new List<JwkJson>();
        var es256 = tenant.Settings.Algorithm == SigningAlgorithms.ES256;
        foreach (var version in tenant.Keys)
        {
            if (version.RetiredAt is not null) continue;
            if (es256 && version.Alg == SigningAlgorithms.ES256)
            {
                var q = keys.PublicKey(tenant.Id, version).Q;
                set.Add(JwkJson.Ec(Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y), version.Kid, SigningAlgorithms.ES256));
            }
            if (version.HasIdTokenKey)
            {
                var rsa = rsaKeys.PublicKey(tenant.Id, version);
                set.Add(JwkJson.Rsa(Base64Url.EncodeToString(rsa.Modulus), Base64Url.EncodeToString(rsa.Exponent), RsaSigningKeys.IdTokenKid(version.Kid), SigningAlgorithms.RS256));
            }
        }
        return new JwksJson(set);
    }
}
