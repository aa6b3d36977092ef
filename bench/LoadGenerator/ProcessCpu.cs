using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>
/// CPU time of processes over a measured window, from Linux's <c>/proc/PID/stat</c>: the process's
/// <c>utime + stime</c> plus those of its direct children, live or already waited for
/// (<c>cutime + cstime</c>). For PostgreSQL's postmaster that is the server's whole process tree:
/// every backend (connections come and go: an ended backend's time moves into the postmaster's
/// <c>cutime</c>/<c>cstime</c>, so the sum does not drop) and its background processes.
/// </summary>
public static class ProcessCpu
{
    private static readonly double MsPerTick = 1000.0 / ClockTicksPerSecond();

    /// <summary>Parses <c>NAME=PID[,NAME=PID...]</c> (names: letters, digits, <c>-</c>, <c>_</c>).</summary>
    public static IReadOnlyList<(string Name, int Pid)> ParseTargets(string text)
    {
        var targets = new List<(string, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || !part[..eq].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                || !int.TryParse(part[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
                throw new FormatException($"'{part}' is not NAME=PID");
            targets.Add((part[..eq], pid));
        }
        if (targets.Count == 0) throw new FormatException("no NAME=PID");
        return targets;
    }

    /// <summary>CPU milliseconds used so far by <paramref name="pid"/> and its direct children; null when the process is gone.</summary>
    public static double? TreeMs(int pid)
    {
        var own = Read(pid);
        if (own is null) return null;
        var ticks = own.Value.Ticks;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = System.IO.Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var child)) continue;
            if (child == pid) continue;
            var stat = Read(child);
            if (stat is { } s && s.ParentPid == pid) ticks += s.Ticks;
        }
        return ticks * MsPerTick;
    }

    /// <summary>
    /// Starts a thread of its own that reads the targets' CPU time at <paramref name="measureFrom"/> and at
    /// <paramref name="measureTo"/> (<see cref="Stopwatch"/> timestamps); the task gives the milliseconds
    /// each used in between (a target gone by then is left out).
    /// </summary>
    public static Task<Dictionary<string, double>> MeasureAsync(IReadOnlyList<(string Name, int Pid)> targets, long measureFrom, long measureTo)
    {
        var done = new TaskCompletionSource<Dictionary<string, double>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                SleepUntil(measureFrom);
                var before = targets.Select(t => TreeMs(t.Pid)).ToArray();
                SleepUntil(measureTo);
                var after = targets.Select(t => TreeMs(t.Pid)).ToArray();
                var used = new Dictionary<string, double>(StringComparer.Ordinal);
                for (var i = 0; i < targets.Count; i++)
                {
                    if (before[i] is { } b && after[i] is { } a) used[targets[i].Name] = Math.Round(a - b, 1);
                }
                done.SetResult(used);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "cpu-sampler",
            Priority = ThreadPriority.Highest,
        };
        thread.Start();
        return done.Task;
    }

    private static void SleepUntil(long timestamp)
    {
        while (true)
        {
            var left = (timestamp - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
            if (left <= 0) return;
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(left, 200)));
        }
    }

    private readonly record struct Stat(int ParentPid, long Ticks);

    private static Stat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
        if (fields.Length < 15) return null;
        long F(int field) => long.Parse(fields[field - 3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return new Stat((int)F(4), F(14) + F(15) + F(16) + F(17));
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    private static long ClockTicksPerSecond()
    {
        const int ScClkTck = 2; // _SC_CLK_TCK on Linux
        try
        {
            var ticks = SysConf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }
}
