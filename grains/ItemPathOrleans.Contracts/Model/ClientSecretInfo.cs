namespace ItemPathOrleans.Contracts.Model;

/// <summary>One secret of a client as it is listed: its id and date, never the secret nor its digest.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientSecretInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset CreatedAt);
