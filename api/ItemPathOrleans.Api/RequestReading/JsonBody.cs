using System.Buffers;
using System.Text.Json;
using ItemPathOrleans.Api.ProblemAnswers;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// Reads a JSON object body within the 16 KiB limit. Endpoints whose body is optional accept
/// an empty one (ItemPath clients send a JSON content type with no body). Every problem is a
/// 400 or 413 that says what was wrong.
/// </summary>
public static class JsonBody
{
    public static async Task<(JsonElement? Body, ProblemResult? Problem)> ReadObjectAsync(HttpRequest request, bool optional = false)
    {
        var (buffer, tooLarge) = await BoundedBody.ReadAsync(request);
        if (tooLarge is not null) return (null, tooLarge);

        if (IsBlank(buffer.WrittenSpan))
            return optional ? (null, null) : (null, Problems.BadRequest("Missing JSON body"));

        try
        {
            using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, Problems.BadRequest("The JSON body must be an object"));
            if (!IsValidText(document.RootElement))
                return (null, Problems.BadRequest("The JSON body contains text that is not valid Unicode"));
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (null, Problems.BadRequest("Malformed JSON body"));
        }
    }

    /// <summary>
    /// Every name and string decodes (no lone surrogate escapes): checked once here, so no field
    /// lookup later fails on text the parser let through.
    /// </summary>
    private static bool IsValidText(JsonElement element)
    {
        try
        {
            return Walk(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in e.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!Walk(property.Value)) return false;
                    }
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        if (!Walk(item)) return false;
                    }
                    return true;
                default:
                    return true;
            }
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        }
        return true;
    }
}
