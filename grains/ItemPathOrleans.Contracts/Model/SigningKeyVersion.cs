namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// One version of a tenant's signing key. The secret is never stored: it is derived from the
/// master secret named by <see cref="MasterKeyId"/>, the random <see cref="Salt"/>, and
/// <c>tenant|kid</c> (ItemPathOrleans.ClusterNode's <c>SigningKeyDerivation</c>). An ES256
/// version holds its P-256 private key encrypted under a key derived the same way
/// (<c>EcSigningKeys</c>) and its public key in the clear; <see cref="Algorithm"/> null means
/// HS256 (versions made before the algorithm was recorded).
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
    [property: Id(7)] byte[]? PublicKey = null)
{
    /// <summary>The one algorithm this version signs and validates with.</summary>
    public string Alg => Algorithm ?? Tokens.SigningAlgorithms.HS256;
}
