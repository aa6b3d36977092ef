namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// One version of a tenant's signing key. The secret is never stored: it is derived from the
/// master secret named by <see cref="MasterKeyId"/>, the random <see cref="Salt"/>, and
/// <c>tenant|kid</c> (ItemPathOrleans.ClusterNode's <c>SigningKeyDerivation</c>). An ES256
/// version holds its P-256 private key encrypted under a key derived the same way
/// (<c>EcSigningKeys</c>) and its public key in the clear; <see cref="Algorithm"/> null means
/// HS256 (versions made before the algorithm was recorded).
/// <para>
/// Every version made since ID tokens exist also holds an RSA-2048 companion used only to sign
/// OpenID Connect ID tokens (RS256, published in the JWKS as <c>{kid}-rs256</c>), rotated and
/// retired with the version: its private key encrypted the same way under <c>tenant|kid|RS256</c>
/// (<c>RsaSigningKeys</c>), its modulus in the clear. Versions stored before have none until
/// <c>ITenantGrain.EnsureIdTokenKey</c> gives the current one its companion.
/// </para>
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SigningKeyVersion(
    [property: Id(0)] string Kid,
    [property: Id(1)] string MasterKeyId,
    [property: Id(2)] byte[] Salt,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? RetiredAt,
    [property: Id(5)] string? Algorithm = null,
    [property: Id(6)] byte[]? EncryptedPrivateKey = null,
    [property: Id(7)] byte[]? PublicKey = null,
    [property: Id(8)] byte[]? RsaEncryptedPrivateKey = null,
    [property: Id(9)] byte[]? RsaPublicKey = null)
{
    /// <summary>The one algorithm this version signs and validates with.</summary>
    public string Alg => Algorithm ?? Tokens.SigningAlgorithms.HS256;

    /// <summary>Whether this version has its RSA companion, so it can sign ID tokens.</summary>
    public bool HasIdTokenKey => RsaEncryptedPrivateKey is { Length: > 0 } && RsaPublicKey is { Length: > 0 };
}
