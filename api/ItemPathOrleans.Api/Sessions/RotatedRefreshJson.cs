namespace ItemPathOrleans.Api.Sessions;

/// <summary>A refresh answer with rotation on: the next refresh token of the same session comes with it.</summary>
public sealed record RotatedRefreshJson(string AccessToken, string AccessExpiryDate, string RefreshToken, string RefreshExpiryDate);
