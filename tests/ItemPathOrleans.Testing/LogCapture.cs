using System.Collections;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ItemPathOrleans.Testing;

/// <summary>One captured log event: where it came from and everything a log sink could write of it.</summary>
public sealed record CapturedLog(string Source, string Category, LogLevel Level, EventId EventId, string Text)
{
    public override string ToString() => $"[{Source}] {Level} {Category} ({EventId.Id}{(EventId.Name is null ? "" : " " + EventId.Name)}): {Text}";
}

/// <summary>
/// Records every log event of the hosts it is added to, at every level: the formatted message,
/// the exception text (with inner exceptions and stack), each structured state value and the
/// values of the scopes around it, so a test can search all of it for secrets.
/// </summary>
public sealed class LogCapture(string source) : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();
    private readonly AsyncLocal<ImmutableScopeStack?> _scopes = new();

    public string Source => source;

    public IReadOnlyCollection<CapturedLog> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(CapturedLog line) => _lines.Enqueue(line);

    /// <summary>Every value of a state or scope object, flattened to text.</summary>
    internal static void AppendValues(StringBuilder text, object? state)
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                text.Append(" | ").Append(key).Append('=');
                AppendValue(text, value);
            }
        }
        else if (state is not null)
        {
            text.Append(" | ");
            AppendValue(text, state);
        }
    }

    private static void AppendValue(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case string s:
                text.Append(s);
                break;
            case byte[] bytes:
                text.Append(Convert.ToBase64String(bytes));
                break;
            case IEnumerable items:
                text.Append('[');
                foreach (var item in items) text.Append(item).Append(", ");
                text.Append(']');
                break;
            default:
                text.Append(value);
                break;
        }
    }

    private sealed record ImmutableScopeStack(object? State, ImmutableScopeStack? Parent);

    private sealed class CapturingLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            var previous = owner._scopes.Value;
            owner._scopes.Value = new ImmutableScopeStack(state, previous);
            return new ScopeHandle(owner, previous);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder();
            try
            {
                text.Append(formatter(state, exception));
            }
            catch (Exception ex)
            {
                text.Append("(formatter threw ").Append(ex.GetType().Name).Append(')');
            }
            AppendValues(text, state);
            if (exception is not null) text.Append(" | exception: ").Append(exception);
            for (var scope = owner._scopes.Value; scope is not null; scope = scope.Parent)
            {
                text.Append(" | scope:");
                AppendValues(text, scope.State);
            }
            owner.Add(new CapturedLog(owner.Source, category, logLevel, eventId, text.ToString()));
        }
    }

    private sealed class ScopeHandle(LogCapture owner, ImmutableScopeStack? previous) : IDisposable
    {
        public void Dispose() => owner._scopes.Value = previous;
    }
}
