using System.Buffers;
using System.Text.Json;

namespace ItemPathOrleans.Api.Http;

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

/// <summary>Reads a request body within the contract's 16 KiB limit, whatever its framing (a chunked body has no Content-Length).</summary>
public static class BoundedBody
{
    public static async Task<(ArrayBufferWriter<byte> Body, ProblemResult? TooLarge)> ReadAsync(HttpRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, request.HttpContext.RequestAborted);
            if (read == 0) return (buffer, null);
            buffer.Advance(read);
            if (buffer.WrittenCount > RequestLimits.MaxBodyBytes)
                return (buffer, new ProblemResult(StatusCodes.Status413PayloadTooLarge, "Request body exceeds the 16 KiB limit"));
        }
    }
}

/// <summary>Typed access to the fields of a JSON body, with errors that name the field.</summary>
public readonly struct JsonFields(JsonElement body)
{
    public bool Has(string name) => body.TryGetProperty(name, out _);

    public bool IsNull(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Null;

    public string? String(string name, ref string? error, bool required = false)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) error ??= $"Missing field: {name}";
            return null;
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            error ??= $"Field '{name}' must be a string";
            return null;
        }
        try
        {
            return v.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape or bytes that are not UTF-8: not text.
            error ??= $"Field '{name}' is not valid text";
            return null;
        }
    }

    public bool? Bool(string name, ref string? error)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        error ??= $"Field '{name}' must be a boolean";
        return null;
    }

    public int? Int(string name, ref string? error)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var value)) return value;
        error ??= $"Field '{name}' must be an integer";
        return null;
    }
}
