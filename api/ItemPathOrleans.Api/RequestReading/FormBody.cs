using System.Text;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.Net.Http.Headers;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// Reads an <c>application/x-www-form-urlencoded</c> body (the OAuth endpoints') within the
/// 16 KiB limit. A body that is not such a form, or not UTF-8, is refused with the reason; a
/// larger one is a 413.
/// </summary>
public static class FormBody
{
    public const string MediaType = "application/x-www-form-urlencoded";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<(FormFields? Fields, string? Invalid, ProblemResult? TooLarge)> ReadAsync(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase))
            return (null, $"The body must be {MediaType}", null);
        if (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return (null, "The body must be UTF-8", null);

        var (buffer, tooLarge) = await BoundedBody.ReadAsync(request);
        if (tooLarge is not null) return (null, null, tooLarge);
        string text;
        try
        {
            text = StrictUtf8.GetString(buffer.WrittenSpan);
        }
        catch (DecoderFallbackException)
        {
            return (null, "The body must be UTF-8", null);
        }
        return (FormFields.Parse(text), null, null);
    }
}
