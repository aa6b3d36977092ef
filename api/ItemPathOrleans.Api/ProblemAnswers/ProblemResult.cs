using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace ItemPathOrleans.Api.ProblemAnswers;

/// <summary>
/// An RFC 9457 problem answer with the <c>msg</c> member flask-jwt-extended clients read, and
/// <c>"login": false</c> on login failures. The one writer of every refusal that is not an
/// endpoint's own: for an OAuth request (<see cref="OAuthRequests"/>) it writes the RFC 6749 §5.2
/// shape instead, with the same status and headers.
/// </summary>
public sealed class ProblemResult(int status, string detail, bool loginFailure = false, int? retryAfterSeconds = null, string? wwwAuthenticate = null) : IResult
{
    public int StatusCode => status;
    public string Detail => detail;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (wwwAuthenticate is not null) httpContext.Response.Headers.WWWAuthenticate = wwwAuthenticate;
        return WriteAsync(httpContext, status, detail, loginFailure, retryAfterSeconds);
    }

    public static async Task WriteAsync(HttpContext context, int status, string detail, bool loginFailure = false, int? retryAfterSeconds = null)
    {
        // A 503 always says when to come back, whoever raised it (the request timeout's included).
        if (status == StatusCodes.Status503ServiceUnavailable) retryAfterSeconds ??= Problems.RetryAfterSeconds;
        if (OAuthRequests.Is(context))
        {
            var error = OAuthRequests.ErrorFor(status);
            // temporarily_unavailable tells the client to come back: it says when, here too.
            if (error == OAuthErrors.TemporarilyUnavailable) retryAfterSeconds ??= Problems.RetryAfterSeconds;
            await OAuthErrorResult.WriteAsync(context, status, error, detail, retryAfterSeconds);
            return;
        }
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        response.Headers.CacheControl = "no-store";
        if (retryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var writer = new Utf8JsonWriter(response.BodyWriter.AsStream());
        writer.WriteStartObject();
        writer.WriteString("title", ReasonPhrases.GetReasonPhrase(status));
        writer.WriteNumber("status", status);
        writer.WriteString("detail", detail);
        writer.WriteString("msg", detail);
        if (loginFailure) writer.WriteBoolean("login", false);
        writer.WriteEndObject();
    }
}
