using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.Tests.Clients;

/// <summary>
/// A client's own key pair for <c>private_key_jwt</c>: its public JWK Set (what is registered)
/// and the assertions it signs (RFC 7523), made with Microsoft.IdentityModel as a client would.
/// </summary>
public sealed class ClientKeys : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly SecurityKey _securityKey;
    private readonly string _algorithm;

    private ClientKeys(AsymmetricAlgorithm key, SecurityKey securityKey, string algorithm, object jwk)
    {
        (_key, _securityKey, _algorithm) = (key, securityKey, algorithm);
        Jwks = new { keys = new[] { jwk } };
    }

    public string Kid => _securityKey.KeyId;

    /// <summary>The public JWK Set, as registered in the client's <c>jwks</c>.</summary>
    public object Jwks { get; }

    public static ClientKeys Rsa(string algorithm = SecurityAlgorithms.RsaSha256)
    {
        var rsa = RSA.Create(2048);
        var kid = $"rsa-{Guid.NewGuid():N}"[..12];
        var p = rsa.ExportParameters(false);
        return new ClientKeys(rsa, new RsaSecurityKey(rsa) { KeyId = kid }, algorithm,
            new { kty = "RSA", kid, use = "sig", n = Base64Url.EncodeToString(p.Modulus), e = Base64Url.EncodeToString(p.Exponent) });
    }

    public static ClientKeys Ec()
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = $"ec-{Guid.NewGuid():N}"[..12];
        var p = ec.ExportParameters(false);
        return new ClientKeys(ec, new ECDsaSecurityKey(ec) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256,
            new { kty = "EC", kid, crv = "P-256", x = Base64Url.EncodeToString(p.Q.X), y = Base64Url.EncodeToString(p.Q.Y) });
    }

    /// <summary>An assertion for <paramref name="clientId"/>: <c>iss</c> = <c>sub</c>, a new <c>jti</c>, 60 s of life unless told.</summary>
    public string Assertion(string clientId, string audience, DateTime? expires = null, string? jti = null, DateTime? issuedAt = null)
    {
        var now = issuedAt ?? DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires ?? now.AddSeconds(60),
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = jti ?? Guid.NewGuid().ToString("N") },
            SigningCredentials = new SigningCredentials(_securityKey, _algorithm),
        });
    }

    public void Dispose() => _key.Dispose();
}
