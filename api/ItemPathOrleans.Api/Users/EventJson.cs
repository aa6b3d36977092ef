namespace ItemPathOrleans.Api.Users;

/// <summary>One security event of a user.</summary>
public sealed record EventJson(string At, string Name, string? Address, string? Detail);
