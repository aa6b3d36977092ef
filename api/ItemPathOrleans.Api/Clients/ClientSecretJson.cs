namespace ItemPathOrleans.Api.Clients;

/// <summary>A secret just added: shown in this answer only.</summary>
public sealed record ClientSecretJson(string Id, string ClientSecret, string CreatedAt);
