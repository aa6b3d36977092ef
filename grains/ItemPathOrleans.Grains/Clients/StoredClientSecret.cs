namespace ItemPathOrleans.Grains.Clients;

/// <summary>A client secret as stored: its id, its SHA-256 digest (never the secret), its date.</summary>
[GenerateSerializer]
public sealed record StoredClientSecret(
    [property: Id(0)] string Id,
    [property: Id(1)] byte[] Digest,
    [property: Id(2)] DateTimeOffset CreatedAt);
