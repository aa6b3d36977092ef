namespace ItemPathOrleans.Api.Sessions;

/// <summary>A refresh answer with rotation off: a new access token only.</summary>
public sealed record RefreshJson(string AccessToken, string AccessExpiryDate);
