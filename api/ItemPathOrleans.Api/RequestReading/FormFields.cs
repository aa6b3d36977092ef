namespace ItemPathOrleans.Api.RequestReading;

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
