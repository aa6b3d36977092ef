namespace ItemPathOrleans.Api.Sessions;

/// <summary>A new application token, shown once.</summary>
public sealed record ApplicationTokenJson(string Token, string Id, string? Name);
