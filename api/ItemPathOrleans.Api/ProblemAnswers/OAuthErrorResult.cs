using System.Globalization;

namespace ItemPathOrleans.Api.ProblemAnswers;

/// <summary>
/// An OAuth error answer: the RFC 6749 §5.2 body, never cached, with <c>Retry-After</c> or
/// <c>WWW-Authenticate</c> where they apply. Descriptions are fixed texts, never echoed input.
/// </summary>
public sealed class OAuthErrorResult(int status, string error, string? description, int? retryAfterSeconds = null, string? wwwAuthenticate = null) : IResult
{
    public int StatusCode => status;
    public string Error => error;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (wwwAuthenticate is not null) httpContext.Response.Headers.WWWAuthenticate = wwwAuthenticate;
        return WriteAsync(httpContext, status, error, description, retryAfterSeconds);
    }

    /// <summary>Writes an error answer: for the endpoints' own errors and for every other refusal of an OAuth request (<see cref="ProblemResult"/>).</summary>
    public static Task WriteAsync(HttpContext context, int status, string error, string? description, int? retryAfterSeconds = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        if (retryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return response.WriteAsJsonAsync(new OAuthErrorJson(error, description is null ? null : Printable(description)));
    }

    /// <summary>RFC 6749 §5.2 allows %x20-21 / %x23-5B / %x5D-7E in a description; anything else becomes '?'.</summary>
    private static string Printable(string description) =>
        description.All(IsAllowed) ? description : string.Create(description.Length, description, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++) span[i] = IsAllowed(text[i]) ? text[i] : '?';
        });

    private static bool IsAllowed(char c) => c is >= '\x20' and <= '\x7e' and not '"' and not '\\';
}
