namespace ItemPathOrleans.Grains.Sso;

/// <summary>An ID token an Entra identity signed in with (stored under the hash of its signed part), and the request that used it.</summary>
[GenerateSerializer, Immutable]
public sealed record AcceptedIdToken(
    [property: Id(0)] long IssuedAt,
    [property: Id(1)] long AcceptedUntil,
    [property: Id(2)] Guid RequestId);
