namespace ItemPathOrleans.Api.Sessions;

/// <summary>
/// The refresh answer as the API reference shows it: <c>refreshToken</c> and
/// <c>refreshExpiryDate</c> only with rotation on (<see cref="RefreshJson"/> and
/// <see cref="RotatedRefreshJson"/> in one shape).
/// </summary>
public sealed record RefreshAnswer(string AccessToken, string AccessExpiryDate, string? RefreshToken, string? RefreshExpiryDate);
