using System.Text;
using Microsoft.Net.Http.Headers;

namespace ItemPathOrleans.Api.Http;

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

/// <summary>
/// The parameters of a form. As RFC 6749 §3.1 says, a parameter without a value counts as
/// omitted and a parameter must not be sent twice; unknown parameters are ignored.
/// </summary>
public sealed class FormFields
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _repeated = new(StringComparer.Ordinal);

    public static FormFields Parse(string text)
    {
        var fields = new FormFields();
        foreach (var pair in text.Split('&'))
        {
            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            if (name.Length == 0) continue;
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            if (!fields._values.TryAdd(name, value)) fields._repeated.Add(name);
        }
        return fields;
    }

    /// <summary>The value of <paramref name="name"/>; sets <paramref name="error"/> (the first one wins) when it is missing but required, or repeated.</summary>
    public string? Get(string name, ref string? error, bool required = false)
    {
        if (_repeated.Contains(name))
        {
            error ??= $"Parameter '{name}' must not be repeated";
            return null;
        }
        if (_values.TryGetValue(name, out var value) && value.Length > 0) return value;
        if (required) error ??= $"Missing parameter: {name}";
        return null;
    }

    private static string Decode(string part) => Uri.UnescapeDataString(part.Replace('+', ' '));
}
