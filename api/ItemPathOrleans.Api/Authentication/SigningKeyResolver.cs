using System.Collections.Concurrent;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// Finds the key a <c>kid</c> names, in the request tenant's ring and nowhere else, and only
/// when the token's <c>alg</c> is both the tenant's algorithm and that version's (RFC 8725
/// §3.1): an ES256 tenant refuses HS256 access tokens and the reverse, whatever key they name.
/// The one exception is made by design: refresh tokens are HS256 in every tenant, under the
/// version's symmetric secret (every version has one), so a token that says it is a refresh
/// token may be HS256; <see cref="TokenValidation.CheckAsync"/> then holds it to a refresh token's audience.
/// </summary>
public sealed class SigningKeyResolver(IHttpContextAccessor accessor, SigningKeyDerivation derivation, EcSigningKeys ecKeys)
{
    /// <summary>Set on a request whose token names a retired key version: it was revoked, not forged.</summary>
    public const string RetiredKeyItem = "itempath:retired-key";

    private readonly ConcurrentDictionary<(string Tenant, string Kid, string MasterKeyId, string Salt, string Alg), SecurityKey> _keys = new();

    /// <summary>
    /// The signature providers of this node's keys (an HMAC or an ECDsa instance each), made once per
    /// key. IdentityModel's shared factory keeps 1,000 and evicts past that: with more tenants in use
    /// than that, nearly every signature check made its provider again. Here the bound (a million) is
    /// far above any deployment's key versions: what bounds them is the keys above, which only the
    /// tenants' own key rings make.
    /// </summary>
    private static readonly CryptoProviderFactory Providers = new(new InMemoryCryptoProviderCache(new CryptoProviderCacheOptions { SizeLimit = 1_000_000 }));

    public IEnumerable<SecurityKey> Resolve(string token, SecurityToken securityToken, string kid, TokenValidationParameters parameters)
    {
        var http = accessor.HttpContext;
        var tenant = http?.Features.Get<RequestTenant>();
        if (tenant is null || string.IsNullOrEmpty(kid)) return [];
        var version = tenant.Info.FindKey(kid);
        if (version is null) return [];
        if (version.RetiredAt is not null)
        {
            http!.Items[RetiredKeyItem] = true;
            return [];
        }
        var jwt = securityToken as JsonWebToken;
        var algorithm = jwt?.Alg;
        var usable = (algorithm == version.Alg && algorithm == tenant.Info.Settings.Algorithm)
            || (algorithm == SigningAlgorithms.HS256 && (jwt!.TryGetClaim(TokenClaims.Type, out var type) ? type.Value : null) == TokenClaims.RefreshType);
        if (!usable) return [];
        var key = _keys.GetOrAdd((tenant.Id, version.Kid, version.MasterKeyId, Convert.ToBase64String(version.Salt), algorithm!), _ =>
        {
            if (algorithm == SigningAlgorithms.ES256)
                return new ECDsaSecurityKey(System.Security.Cryptography.ECDsa.Create(ecKeys.PublicKey(tenant.Id, version))) { KeyId = version.Kid, CryptoProviderFactory = Providers };
            var secret = derivation.SecretFor(tenant.Id, version);
            return secret is null ? null! : new SymmetricSecurityKey(secret) { KeyId = version.Kid, CryptoProviderFactory = Providers };
        });
        return key is null ? [] : [key];
    }
}
