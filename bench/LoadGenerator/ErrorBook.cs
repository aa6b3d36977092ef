using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>
/// Counts errors by a short description ("401 Token has been revoked", "timeout after 10 s"), keeping
/// the first <see cref="MaxDistinct"/> distinct ones in the order they were first seen. Descriptions
/// never carry a token: they come from the problem body's msg/detail/title or an exception message,
/// and anything shaped like a JWT is masked all the same.
/// </summary>
public sealed partial class ErrorBook
{
    public const int MaxDistinct = 12;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _order;
    private long _other;

    private sealed class Entry(long order)
    {
        public readonly long Order = order;
        public long Count;
    }

    public void Record(string description)
    {
        if (_entries.TryGetValue(description, out var entry))
        {
            Interlocked.Increment(ref entry.Count);
            return;
        }
        if (_entries.Count >= MaxDistinct)
        {
            Interlocked.Increment(ref _other);
            return;
        }
        entry = _entries.GetOrAdd(description, _ => new Entry(Interlocked.Increment(ref _order)));
        Interlocked.Increment(ref entry.Count);
    }

    public bool IsEmpty => _entries.IsEmpty && Interlocked.Read(ref _other) == 0;

    public IEnumerable<(string Description, long Count)> Summary()
    {
        foreach (var (key, entry) in _entries.OrderBy(e => e.Value.Order))
            yield return (key, Interlocked.Read(ref entry.Count));
        var other = Interlocked.Read(ref _other);
        if (other > 0) yield return ("(other errors)", other);
    }

    /// <summary>"STATUS message" for an error answer; the message from the problem body when there is one.</summary>
    public static string DescribeStatus(HttpStatusCode status, ReadOnlySpan<byte> body)
    {
        var message = ProblemMessage(body);
        var code = (int)status;
        return message is null ? $"{code} {status}" : $"{code} {Clean(message)}";
    }

    public static string DescribeException(Exception ex, double timeoutSeconds)
    {
        if (ex is StepException step && step.InnerException is { } inner)
            return step.Step + ": " + DescribeException(inner, timeoutSeconds);
        if (ex is TaskCanceledException { InnerException: TimeoutException })
            return $"timeout after {timeoutSeconds:0.#} s";
        if (ex is HttpRequestException hre)
        {
            var socket = FindInner<SocketException>(hre);
            var detail = socket is not null ? socket.SocketErrorCode.ToString() : hre.HttpRequestError.ToString();
            return Clean($"HttpRequestException ({detail}): {hre.Message}");
        }
        return Clean($"{ex.GetType().Name}: {ex.Message}");
    }

    private static T? FindInner<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is T t) return t;
        return null;
    }

    private static string? ProblemMessage(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            string? msg = null, detail = null, title = null, error = null, errorDescription = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    switch (name)
                    {
                        case "msg": msg = reader.GetString(); break;
                        case "detail": detail = reader.GetString(); break;
                        case "title": title = reader.GetString(); break;
                        // RFC 6749 errors (the peer scenarios)
                        case "error": error = reader.GetString(); break;
                        case "error_description": errorDescription = reader.GetString(); break;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            return msg ?? detail ?? title ?? (error is null ? null : errorDescription is null ? error : $"{error}: {errorDescription}");
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(body[..Math.Min(body.Length, 120)]);
        }
    }

    /// <summary>One line, at most 160 characters, JWT-shaped strings masked.</summary>
    private static string Clean(string s)
    {
        s = JwtShape().Replace(s, "<token>");
        s = s.ReplaceLineEndings(" ");
        return s.Length <= 160 ? s : s[..157] + "...";
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?")]
    private static partial Regex JwtShape();
}
