namespace ItemPathOrleans.Api.Sso;

/// <summary>How a front end starts MSAL: <c>{"enabled", "authority", "clientId", "scopes"}</c>.</summary>
public sealed record SsoConfigurationJson(bool Enabled, string? Authority, string? ClientId, IReadOnlyList<string> Scopes);
