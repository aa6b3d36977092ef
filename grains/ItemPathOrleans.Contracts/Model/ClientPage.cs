namespace ItemPathOrleans.Contracts.Model;

/// <summary>A page of a tenant's clients, with the total.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientPage(
    [property: Id(0)] IReadOnlyList<ClientInfo> Clients,
    [property: Id(1)] long Total);
