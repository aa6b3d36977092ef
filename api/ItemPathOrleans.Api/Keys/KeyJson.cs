namespace ItemPathOrleans.Api.Keys;

/// <summary>A tenant's key version: never a secret.</summary>
public sealed record KeyJson(string Kid, string MasterKeyId, string CreatedAt, string? RetiredAt, bool Current, string Alg);
