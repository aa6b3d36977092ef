using System.Globalization;

namespace ItemPathOrleans.Baselines;

/// <summary>A bad command line: the message goes to stderr, exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>"--name value" and "--name=value" options, each checked against the mode's known names and bounds.</summary>
public sealed class Cli
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Cli(IReadOnlyList<string> args, params string[] known)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}'");
            string name, value;
            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[2..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count) throw new UsageException($"--{name} needs a value");
                value = args[++i];
            }
            if (Array.IndexOf(known, name) < 0) throw new UsageException($"unknown option --{name}");
            _values[name] = value;
        }
    }

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Get(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new UsageException($"--{name} must be an integer from {min} to {max}, not '{text}'");
        return v;
    }

    public double Number(string name, double fallback, double min, double max)
    {
        var text = Get(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
            throw new UsageException($"--{name} must be a number from {min} to {max}, not '{text}'");
        return v;
    }
}
