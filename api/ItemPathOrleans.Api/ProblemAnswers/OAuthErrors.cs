namespace ItemPathOrleans.Api.ProblemAnswers;

public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string ServerError = "server_error";
    public const string InvalidGrant = "invalid_grant";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidToken = "invalid_token";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string InvalidScope = "invalid_scope";

    /// <summary>
    /// A client that failed to authenticate (RFC 6749 §5.2): 401, the same answer whatever failed,
    /// with a Basic challenge when it tried Basic.
    /// </summary>
    public static OAuthErrorResult InvalidClientAnswer(string? basicRealm) => new(
        StatusCodes.Status401Unauthorized, InvalidClient, description: null,
        wwwAuthenticate: basicRealm is null ? null : $"Basic realm=\"{basicRealm}\"");

    public static OAuthErrorResult BadRequest(string description) => new(StatusCodes.Status400BadRequest, InvalidRequest, description);

    public static OAuthErrorResult Grant(string description, TimeSpan? retryAfter = null) =>
        new(StatusCodes.Status400BadRequest, InvalidGrant, description,
            retryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : null);

    /// <summary>A caller of introspection without a usable application token (RFC 6750 §3.1).</summary>
    public static OAuthErrorResult Unauthorized(string description, bool tokenPresented) => new(
        StatusCodes.Status401Unauthorized, tokenPresented ? InvalidToken : InvalidRequest, description,
        wwwAuthenticate: tokenPresented ? $"Bearer error=\"invalid_token\", error_description=\"{description}\"" : "Bearer");

    public static OAuthErrorResult Unavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, TemporarilyUnavailable, "The service is temporarily unavailable; retry shortly", retryAfterSeconds: Problems.RetryAfterSeconds);
}
