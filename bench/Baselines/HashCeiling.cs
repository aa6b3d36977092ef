using System.Diagnostics;
using ItemPathOrleans.Grains.Passwords;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Baselines;

/// <summary>
/// The login ceiling: Argon2id hashes per second of the service's own <see cref="PasswordHasher"/>
/// with the service's default options (m=19456 KiB, t=2, p=1), N workers in a closed loop, each on
/// its own thread (a hash is synchronous CPU work, as on the service's thread pool).
/// </summary>
public static class HashCeiling
{
    public sealed record Options(int Threads, double DurationSeconds, double WarmupSeconds, string? OutFile);

    public static Options Parse(string[] args)
    {
        var cli = new Cli(args, "threads", "duration", "warmup", "out");
        return new Options(
            cli.Int("threads", Environment.ProcessorCount, 1, 256),
            cli.Number("duration", 20, 1, 3600),
            cli.Number("warmup", 5, 0, 600),
            cli.Get("out"));
    }

    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        var settings = new PasswordHashingOptions();
        var hasher = new PasswordHasher(Microsoft.Extensions.Options.Options.Create(settings));
        // Not a password anyone uses: only its length matters to the cost, and barely.
        const string password = "Bench-Pass-2026!";

        Console.Error.WriteLine($"hash: Argon2id m={settings.MemoryKib} KiB t={settings.Iterations} p={settings.Parallelism}, " +
                                $"{options.Threads} threads on {Environment.ProcessorCount} cores, " +
                                $"{options.WarmupSeconds:0.#} s warm-up, {options.DurationSeconds:0.#} s measured");

        var window = new Window(options.WarmupSeconds, options.DurationSeconds);
        // This process's CPU time in the measured window: the CPU per hash the login rows subtract.
        var cpu = ProcessCpu.MeasureAsync([("hash", Environment.ProcessId)], window.MeasureFrom, window.MeasureTo);
        var errors = new ErrorBook();
        var stats = new WorkerStats[options.Threads];
        var threads = new Thread[options.Threads];
        for (var i = 0; i < threads.Length; i++)
        {
            var mine = stats[i] = new WorkerStats();
            threads[i] = new Thread(() =>
            {
                while (window.Open(ct))
                {
                    var t0 = Stopwatch.GetTimestamp();
                    string? error = null;
                    try
                    {
                        if (hasher.Hash(password).Length == 0) error = "empty hash";
                    }
                    catch (Exception e)
                    {
                        error = ErrorBook.Describe(e);
                    }
                    window.Record(mine, t0, Stopwatch.GetTimestamp(), error, errors);
                }
            })
            {
                IsBackground = true,
                Name = $"hash-{i}",
            };
        }
        foreach (var thread in threads) thread.Start();
        await Task.Run(() =>
        {
            foreach (var thread in threads) thread.Join();
        }, CancellationToken.None);

        if (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("Baselines: interrupted: no result");
            return 130;
        }
        return await new RunResult("hash-ceiling", options.Threads, window, stats, errors) { CpuMs = await cpu }.PublishAsync(options.OutFile);
    }
}
