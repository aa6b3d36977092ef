using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.LoadGenerator;

return await LoadGeneratorMain.RunAsync(args);

namespace ItemPathOrleans.LoadGenerator
{
    internal static class LoadGeneratorMain
    {
        public static async Task<int> RunAsync(string[] args)
        {
            Options options;
            try
            {
                options = Options.Parse(args);
            }
            catch (UsageException e)
            {
                if (e.ShowUsageOnly)
                {
                    Console.Error.WriteLine(Options.Usage);
                    return 0;
                }
                Console.Error.WriteLine($"LoadGenerator: {e.Message}");
                Console.Error.WriteLine("Run with --help for the options.");
                return 2;
            }

            using var cts = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                cts.Cancel();
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

            using var api = new ApiClient(options);
            VirtualUser[] users;
            var setup = new Setup(options, api);
            try
            {
                users = await setup.PrepareAsync(cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                Console.Error.WriteLine("LoadGenerator: interrupted during setup");
                return 130;
            }
            catch (SetupException e)
            {
                Console.Error.WriteLine($"LoadGenerator: setup failed: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Console.Error.WriteLine($"LoadGenerator: setup failed against {options.BaseUrl}: {ErrorBook.DescribeException(e, options.TimeoutSeconds)}");
                return 1;
            }

            var result = await new Runner(options, api, setup.CodeFlow).RunAsync(users, cts.Token);
            if (cts.IsCancellationRequested)
            {
                Console.Error.WriteLine("LoadGenerator: interrupted: no result");
                return 130;
            }

            Report(options, result);
            var json = ResultJson(options, result);
            Console.Out.WriteLine(json);
            Console.Out.Flush();
            if (options.OutFile is not null)
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(options.OutFile));
                if (directory is not null) Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(options.OutFile, json + "\n", CancellationToken.None);
            }
            if (result.Ok == 0)
            {
                Console.Error.WriteLine("LoadGenerator: no request succeeded in the measured window");
                return 1;
            }
            return 0;
        }

        private static double Ms(long micros) => micros / 1000.0;

        private static void Report(Options options, RunResult r)
        {
            var h = r.Histogram;
            var ops = r.Ok / options.DurationSeconds;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{options.ScenarioName,-12} users={options.Users} measured={options.DurationSeconds:0.#}s requests={r.Requests} ok={r.Ok} errors={r.Errors} " +
                $"ops/s={ops:0.0} p50={Ms(h.ValueAtPercentile(50)):0.000}ms p90={Ms(h.ValueAtPercentile(90)):0.000}ms " +
                $"p99={Ms(h.ValueAtPercentile(99)):0.000}ms max={Ms(h.MaxMicros):0.000}ms mean={h.MeanMicros / 1000.0:0.000}ms " +
                $"(warm-up: {r.WarmupOk} ok, {r.WarmupErrors} errors)");
            if (r.CpuMs is not null)
                line += " cpu ms:" + string.Concat(r.CpuMs.Select(p => string.Create(CultureInfo.InvariantCulture, $" {p.Key}={p.Value:0}")));
            if (options.Scenario is Scenario.Refresh or Scenario.PeerRefresh)
                line += string.Create(CultureInfo.InvariantCulture, $" rotated refresh tokens followed: {r.Rotations}");
            Console.Error.WriteLine(line);
            PrintErrors("errors (measured)", r.MeasuredErrorBook);
            PrintErrors("errors (warm-up)", r.WarmupErrorBook);
        }

        private static void PrintErrors(string title, ErrorBook book)
        {
            if (book.IsEmpty) return;
            Console.Error.WriteLine($"{title}, first distinct:");
            foreach (var (description, count) in book.Summary())
                Console.Error.WriteLine($"  {count,8} x {description}");
        }

        /// <summary>The one-line result: {"scenario","users","durationSeconds","opsPerSec","p50Ms","p99Ms","errors","requests"}.</summary>
        internal static string ResultJson(Options options, RunResult r)
        {
            var output = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(output))
            {
                w.WriteStartObject();
                w.WriteString("scenario", options.ScenarioName);
                w.WriteNumber("users", options.Users);
                w.WriteNumber("durationSeconds", options.DurationSeconds);
                w.WriteNumber("opsPerSec", Math.Round(r.Ok / options.DurationSeconds, 1));
                w.WriteNumber("p50Ms", Math.Round(Ms(r.Histogram.ValueAtPercentile(50)), 3));
                w.WriteNumber("p99Ms", Math.Round(Ms(r.Histogram.ValueAtPercentile(99)), 3));
                w.WriteNumber("errors", r.Errors);
                w.WriteNumber("requests", r.Requests);
                if (r.CpuMs is not null)
                {
                    // CPU milliseconds each named process used in the measured window.
                    w.WriteStartObject("cpuMs");
                    foreach (var (name, ms) in r.CpuMs) w.WriteNumber(name, ms);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }
    }
}
