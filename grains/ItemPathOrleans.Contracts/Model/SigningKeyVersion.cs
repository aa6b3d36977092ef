namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// One version of a tenant's signing key. The secret is never stored: it is derived from the
/// master secret named by <see cref="MasterKeyId"/>, the random <see cref="Salt"/>, and
/// <c>tenant|kid</c> (see <see cref="Tokens.SigningKeyDerivation"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SigningKeyVersion(
    [property: Id(0)] string Kid,
    [property: Id(1)] string MasterKeyId,
    [property: Id(2)] byte[] Salt,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? RetiredAt);
