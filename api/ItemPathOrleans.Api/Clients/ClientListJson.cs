namespace ItemPathOrleans.Api.Clients;

public sealed record ClientListJson(IReadOnlyList<ClientJson> Clients, long Total);
