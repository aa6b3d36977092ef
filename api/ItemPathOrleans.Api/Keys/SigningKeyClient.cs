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
public sealed class SigningKeyClient(IGrainFactory grains, TenantCache tenants, TenantCatalogCache catalog, IOptions<TenancyOptions> tenancy, EcSigningKeys keys)
{
    /// <summary>A new current key version of the tenant's algorithm.</summary>
    public async Task<TenantInfo> RotateAsync(TenantInfo tenant)
    {
        var updated = await ClusterCalls.OnceAsync(() => grains.Tenant(tenant.Id).RotateKey());
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
    /// The public keys of the tenant's ES256 key versions that still validate. A tenant on HS256
    /// publishes an empty set (its keys are secrets), and an ES256 tenant never lists an HS256
    /// version nor a retired one.
    /// </summary>
    public JwksJson PublicKeys(TenantInfo tenant)
    {
        var set = new List<JwkJson>();
        if (tenant.Settings.Algorithm != SigningAlgorithms.ES256) return new JwksJson(set);
        foreach (var version in tenant.Keys)
        {
            if (version.Alg != SigningAlgorithms.ES256 || version.RetiredAt is not null) continue;
            var q = keys.PublicKey(tenant.Id, version).Q;
            set.Add(new JwkJson("EC", "P-256", Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y), version.Kid, "sig", SigningAlgorithms.ES256));
        }
        return new JwksJson(set);
    }
}
