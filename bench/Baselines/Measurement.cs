using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ItemPathOrleans.Baselines;

/// <summary>
/// The closed loop's clock, as the load generator counts: a warm-up, then a measured window; an
/// operation counts in the window it completes in (warm-up completions apart, later ones dropped),
/// and no operation starts after the end of the window.
/// </summary>
public sealed class Window
{
    private static readonly double TicksPerMicro = Stopwatch.Frequency / 1_000_000.0;

    public Window(double warmupSeconds, double durationSeconds)
    {
        WarmupSeconds = warmupSeconds;
        DurationSeconds = durationSeconds;
        var start = Stopwatch.GetTimestamp();
        MeasureFrom = start + (long)(warmupSeconds * Stopwatch.Frequency);
        MeasureTo = MeasureFrom + (long)(durationSeconds * Stopwatch.Frequency);
    }

    public double WarmupSeconds { get; }
    public double DurationSeconds { get; }
    public long MeasureFrom { get; }
    public long MeasureTo { get; }

    /// <summary>True while a worker may start another operation.</summary>
    public bool Open(CancellationToken ct) => !ct.IsCancellationRequested && Stopwatch.GetTimestamp() < MeasureTo;

    /// <summary>Counts one operation that ran from <paramref name="t0"/> to <paramref name="t1"/>; <paramref name="error"/> null when it succeeded.</summary>
    public void Record(WorkerStats stats, long t0, long t1, string? error, ErrorBook errors)
    {
        if (t1 < MeasureFrom)
        {
            if (error is null) stats.WarmupOk++;
            else stats.WarmupErrors++;
            if (error is not null) errors.Record("(warm-up) " + error);
        }
        else if (t1 < MeasureTo)
        {
            if (error is null)
            {
                stats.Ok++;
                stats.Histogram.Record((long)((t1 - t0) / TicksPerMicro));
            }
            else
            {
                stats.Errors++;
                errors.Record(error);
            }
        }
    }
}

/// <summary>One worker's counters (written by that worker only).</summary>
public sealed class WorkerStats
{
    public LatencyHistogram Histogram { get; } = new();
    public long Ok;
    public long Errors;
    public long WarmupOk;
    public long WarmupErrors;
}

/// <summary>Errors by short description, the first 12 distinct ones in the order first seen.</summary>
public sealed class ErrorBook
{
    private const int MaxDistinct = 12;
    private readonly ConcurrentDictionary<string, long[]> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private long _other;

    public void Record(string description)
    {
        if (_entries.TryGetValue(description, out var count))
        {
            Interlocked.Increment(ref count[0]);
            return;
        }
        if (_entries.Count >= MaxDistinct)
        {
            Interlocked.Increment(ref _other);
            return;
        }
        var added = false;
        count = _entries.GetOrAdd(description, _ =>
        {
            added = true;
            return new long[1];
        });
        if (added) _order.Enqueue(description);
        Interlocked.Increment(ref count[0]);
    }

    public void Print(TextWriter writer)
    {
        if (_entries.IsEmpty) return;
        writer.WriteLine("errors, first distinct:");
        foreach (var description in _order)
            writer.WriteLine($"  {Interlocked.Read(ref _entries[description][0]),8} x {description}");
        var other = Interlocked.Read(ref _other);
        if (other > 0) writer.WriteLine($"  {other,8} x (other errors)");
    }

    public static string Describe(Exception e)
    {
        var message = e.Message.ReplaceLineEndings(" ");
        if (message.Length > 200) message = message[..200] + "…";
        return $"{e.GetType().Name}: {message}";
    }
}

/// <summary>The merged counters of a run, printed like the load generator's result.</summary>
public sealed class RunResult
{
    public RunResult(string scenario, int users, Window window, IEnumerable<WorkerStats> workers, ErrorBook errors)
    {
        Scenario = scenario;
        Users = users;
        DurationSeconds = window.DurationSeconds;
        WarmupSeconds = window.WarmupSeconds;
        Errors = errors;
        foreach (var w in workers)
        {
            Histogram.Add(w.Histogram);
            Ok += w.Ok;
            Failed += w.Errors;
            WarmupOk += w.WarmupOk;
            WarmupErrors += w.WarmupErrors;
        }
    }

    public string Scenario { get; }
    public int Users { get; }
    public double DurationSeconds { get; }
    public double WarmupSeconds { get; }
    public LatencyHistogram Histogram { get; } = new();
    public long Ok { get; }
    public long Failed { get; }
    public long WarmupOk { get; }
    public long WarmupErrors { get; }
    public ErrorBook Errors { get; }

    /// <summary>CPU milliseconds of named processes in the measured window, when read.</summary>
    public IReadOnlyDictionary<string, double>? CpuMs { get; init; }

    public long Requests => Ok + Failed;
    public double OpsPerSec => Ok / DurationSeconds;

    private static double Ms(long micros) => micros / 1000.0;

    /// <summary>The one-line result, the load generator's shape: {"scenario","users","durationSeconds","opsPerSec","p50Ms","p99Ms","errors","requests"}.</summary>
    public string Json()
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("scenario", Scenario);
            w.WriteNumber("users", Users);
            w.WriteNumber("durationSeconds", DurationSeconds);
            w.WriteNumber("opsPerSec", Math.Round(OpsPerSec, 1));
            w.WriteNumber("p50Ms", Math.Round(Ms(Histogram.ValueAtPercentile(50)), 3));
            w.WriteNumber("p99Ms", Math.Round(Ms(Histogram.ValueAtPercentile(99)), 3));
            w.WriteNumber("errors", Failed);
            w.WriteNumber("requests", Requests);
            if (CpuMs is not null)
            {
                w.WriteStartObject("cpuMs");
                foreach (var (name, ms) in CpuMs) w.WriteNumber(name, ms);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The human line and the errors on stderr, the JSON on stdout and in <paramref name="outFile"/>.</summary>
    public async Task<int> PublishAsync(string? outFile)
    {
        var h = Histogram;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Scenario,-16} users={Users} measured={DurationSeconds:0.#}s requests={Requests} ok={Ok} errors={Failed} " +
            $"ops/s={OpsPerSec:0.0} p50={Ms(h.ValueAtPercentile(50)):0.000}ms p90={Ms(h.ValueAtPercentile(90)):0.000}ms " +
            $"p99={Ms(h.ValueAtPercentile(99)):0.000}ms max={Ms(h.MaxMicros):0.000}ms mean={h.MeanMicros / 1000.0:0.000}ms " +
            $"(warm-up: {WarmupOk} ok, {WarmupErrors} errors)"));
        Errors.Print(Console.Error);

        var json = Json();
        Console.Out.WriteLine(json);
        Console.Out.Flush();
        if (outFile is not null)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(outFile));
            if (directory is not null) Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(outFile, json + "\n", CancellationToken.None);
        }
        if (Ok == 0)
        {
            Console.Error.WriteLine("Baselines: no operation succeeded in the measured window");
            return 1;
        }
        return 0;
    }
}
