namespace ItemPathOrleans.Api.ProblemAnswers;

public static class Problems
{
    public static ProblemResult BadRequest(string detail) => new(StatusCodes.Status400BadRequest, detail);
    public static ProblemResult NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);
    public static ProblemResult Forbidden(string detail) => new(StatusCodes.Status403Forbidden, detail);
    public static ProblemResult Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);
    public static ProblemResult Unauthorized(string detail) => new(StatusCodes.Status401Unauthorized, detail);
    /// <summary>A 401 for a bad token, with the RFC 6750 header.</summary>
    public static ProblemResult InvalidToken(string detail) =>
        new(StatusCodes.Status401Unauthorized, detail, wwwAuthenticate: $"Bearer error=\"invalid_token\", error_description=\"{detail}\"");
    /// <summary>429 while a login is locked out or past the failed-login rate, with <c>Retry-After</c>.</summary>
    public static ProblemResult TooManyLogins(TimeSpan wait) =>
        new(StatusCodes.Status429TooManyRequests, "Too many failed login attempts; retry later", loginFailure: true,
            retryAfterSeconds: Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));

    public static ProblemResult LoginFailed() => new(StatusCodes.Status401Unauthorized, "Bad username or password", loginFailure: true);
    /// <summary>How long a client waits before retrying a 503.</summary>
    public const int RetryAfterSeconds = 2;

    public static ProblemResult Unavailable() => new(StatusCodes.Status503ServiceUnavailable, "The service is temporarily unavailable; retry shortly", retryAfterSeconds: RetryAfterSeconds);
}
