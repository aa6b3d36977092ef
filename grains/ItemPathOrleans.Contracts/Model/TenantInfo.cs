namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// What the API and the silos need to know about a tenant: settings and key ring.
/// <see cref="Version"/> grows with every change, so a node can tell a stale copy.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] bool Disabled,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] TenantSettings Settings,
    [property: Id(5)] IReadOnlyList<SigningKeyVersion> Keys,
    [property: Id(6)] string CurrentKid,
    [property: Id(7)] int Version = 1)
{
    public SigningKeyVersion? FindKey(string kid)
    {
        foreach (var key in Keys)
        {
            if (key.Kid == kid) return key;
        }
        return null;
    }
}
