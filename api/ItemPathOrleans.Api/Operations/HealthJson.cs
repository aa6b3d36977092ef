namespace ItemPathOrleans.Api.Operations;

/// <summary><c>{"status"}</c> of the health endpoints.</summary>
public sealed record HealthJson(string Status);
