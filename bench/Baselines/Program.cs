using System.Runtime.InteropServices;
using ItemPathOrleans.Baselines;

return await BaselinesMain.RunAsync(args);

namespace ItemPathOrleans.Baselines
{
    internal static class BaselinesMain
    {
        public const string Usage = """
            Baselines: the physical ceilings the ItemPath benchmark compares against.

              dotnet bench/Baselines/bin/Release/net10.0/Baselines.dll MODE [options]

              hash       --threads N (default: cores) --duration S (20) --warmup S (5) [--out FILE]
                         Argon2id hashes/s of the service's PasswordHasher (m=19456 KiB, t=2, p=1),
                         N workers in a closed loop: the login ceiling.
              pg-writes  --connection CS (default: $ConnectionStrings__ItemPath) --grains N (64)
                         --duration S (20) --warmup S (5) [--state-bytes B (600)] [--out FILE]
                         [--service-id itempath-bench-...]
                         grain-state writes/s through Orleans' ADO.NET storage on PostgreSQL, an
                         in-process silo, N grains each written by its own caller: the ceiling of
                         refresh with rotation on. Deletes its rows (its own ServiceId) at the end.
              serve-jwt  --urls URL (default http://127.0.0.1:5090) --tenant T (default default)
                         [--forward URL of the real API: every other request goes there, so the
                         load generator's setup (logins, admin calls) works through this app]
                         plus the API's environment (ConnectionStrings__ItemPath, Orleans__ClusterId,
                         Orleans__ServiceId, Tokens__Issuer, Tokens__Audience, Tokens__MasterKeys__0__Id,
                         Tokens__MasterKeys__0__Secret): GET /api/users/me validates the JWT only (no
                         grain call, no revocation check): the validation ceiling.
              serve-upstream --urls URL (default http://127.0.0.1:5091)
                         answers every path with a small JSON body: the service behind the
                         gateway, measured directly and through the gateway.
              serve-proxy --upstream URL (required) --urls URL (default http://127.0.0.1:5092)
                         [--route TEMPLATE (default /api/stations/{**rest})]
                         forwards the route to the upstream with YARP, configured as the API's
                         gateway is (same route, cluster, timeout and header transforms) but with
                         no token validation and no other middleware: the proxy ceiling.

            stdout (hash, pg-writes): one JSON object {"scenario","users","durationSeconds","opsPerSec",
            "p50Ms","p99Ms","errors","requests"}; stderr: progress, a human line and the first errors.
            Exit: 0 measured, 1 failed or nothing succeeded, 2 bad arguments, 130 interrupted.
            """;

        public static async Task<int> RunAsync(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" || args.Skip(1).Any(a => a is "-h" or "--help"))
            {
                Console.Error.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }

            using var cts = new CancellationTokenSource();
            try
            {
                switch (args[0])
                {
                    case "hash":
                    {
                        var options = HashCeiling.Parse(args[1..]);
                        using var signals = Signals(cts);
                        return await HashCeiling.RunAsync(options, cts.Token);
                    }
                    case "pg-writes":
                    {
                        var options = PgWriteCeiling.Parse(args[1..]);
                        using var signals = Signals(cts);
                        return await PgWriteCeiling.RunAsync(options, cts.Token);
                    }
                    case "serve-jwt":
                        // The web host handles SIGINT/SIGTERM itself.
                        return await JwtServer.RunAsync(args[1..]);
                    case "serve-upstream":
                        return await UpstreamServer.RunAsync(args[1..]);
                    case "serve-proxy":
                        return await ProxyServer.RunAsync(args[1..]);
                    default:
                        throw new UsageException($"unknown mode '{args[0]}' (hash, pg-writes, serve-jwt, serve-upstream, serve-proxy)");
                }
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"Baselines: {e.Message}");
                Console.Error.WriteLine("Run with --help for the options.");
                return 2;
            }
        }

        /// <summary>SIGINT/SIGTERM cancel the run (the mode cleans up, prints no result, exits 130).</summary>
        private static IDisposable Signals(CancellationTokenSource cts)
        {
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                cts.Cancel();
            }
            var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            return new Both(sigint, sigterm);
        }

        private sealed class Both(IDisposable a, IDisposable b) : IDisposable
        {
            public void Dispose()
            {
                a.Dispose();
                b.Dispose();
            }
        }
    }
}
