namespace ItemPathOrleans.Api.Keys;

/// <summary>A tenant's key version: never a secret. <see cref="IdTokenKey"/>: it has the RSA companion that signs ID tokens (kid <c>{kid}-rs256</c>).</summary>
public sealed record KeyJson(string Kid, string MasterKeyId, string CreatedAt, string? RetiredAt, bool Current, string Alg, bool IdTokenKey);
