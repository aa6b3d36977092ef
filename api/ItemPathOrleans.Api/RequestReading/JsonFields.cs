using System.Text.Json;

namespace ItemPathOrleans.Api.RequestReading;

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
