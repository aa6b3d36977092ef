using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ItemPathOrleans.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace ItemPathOrleans.Baselines;

/// <summary>
/// The ceiling of refresh with rotation on: grain-state writes per second through Orleans' real
/// ADO.NET grain storage on the service's PostgreSQL (its table, its write routine), from an
/// in-process silo configured like the service's storage, N grains each written by its own caller
/// in a closed loop. The silo has its own ServiceId, so its rows never meet the service's, and
/// they are deleted at the end.
/// </summary>
public static class PgWriteCeiling
{
    public const string DefaultServiceId = "itempath-bench-writes";
    private const string ServiceIdPrefix = "itempath-bench-";

    public sealed record Options(string ConnectionString, int Grains, double DurationSeconds, double WarmupSeconds, int StateBytes, string ServiceId, string? OutFile);

    public static Options Parse(string[] args)
    {
        var cli = new Cli(args, "connection", "grains", "duration", "warmup", "state-bytes", "service-id", "out");
        var connection = cli.Get("connection") ?? Environment.GetEnvironmentVariable("ConnectionStrings__ItemPath");
        if (string.IsNullOrWhiteSpace(connection))
            throw new UsageException("--connection is required (or set ConnectionStrings__ItemPath), e.g. 'Host=127.0.0.1;Port=5433;Database=itempath;Username=postgres'");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--connection is not a valid Npgsql connection string: {e.Message}");
        }
        var serviceId = cli.Get("service-id") ?? DefaultServiceId;
        // Its rows are deleted by ServiceId at the end: never let that be the service's own.
        if (!serviceId.StartsWith(ServiceIdPrefix, StringComparison.Ordinal) || serviceId.Length is > 150 || serviceId.Any(char.IsControl))
            throw new UsageException($"--service-id must start with '{ServiceIdPrefix}' (its rows are deleted at the end), up to 150 characters");
        return new Options(
            connection,
            cli.Int("grains", 64, 1, 10_000),
            cli.Number("duration", 20, 1, 3600),
            cli.Number("warmup", 5, 0, 600),
            cli.Int("state-bytes", 600, 0, 1024 * 1024),
            serviceId,
            cli.Get("out"));
    }

    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(options.ConnectionString);
        try
        {
            var stale = await DeleteRowsAsync(db, options.ServiceId, ct);
            if (stale > 0) Console.Error.WriteLine($"pg-writes: deleted {stale} rows left by an earlier run (ServiceId {options.ServiceId})");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Baselines: PostgreSQL is not usable ({ErrorBook.Describe(e)}); the database needs the service's schema (db/*.sql, as run.sh applies it)");
            return 1;
        }

        var siloPort = FreePort();
        var gatewayPort = FreePort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            // Start-up notes that say nothing about the measurement (workstation GC on purpose,
            // the watchdog's first check counting from boot).
            .AddFilter("Orleans.Runtime.Silo", LogLevel.Error)
            .AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        builder.Services.AddSingleton(new WritePayload(options.StateBytes));
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: options.ServiceId, clusterId: options.ServiceId);
            // As the service's silo (ItemPathSilo.AddItemPathPostgresStorage): the same provider
            // name, invariant and serializer, on the given database.
            silo.AddAdoNetGrainStorage(StorageNames.Grains, (OptionsBuilder<AdoNetGrainStorageOptions> ob) =>
                ob.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = options.ConnectionString;
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
        });

        using var host = builder.Build();
        var started = false;
        try
        {
            Console.Error.WriteLine($"pg-writes: starting an in-process silo (ServiceId {options.ServiceId}, ports {siloPort}/{gatewayPort})");
            await host.StartAsync(ct);
            started = true;
            var grains = host.Services.GetRequiredService<IGrainFactory>();

            Console.Error.WriteLine($"pg-writes: {options.Grains} grains, state {options.StateBytes} bytes + counter, " +
                                    $"{options.WarmupSeconds:0.#} s warm-up, {options.DurationSeconds:0.#} s measured");
            var window = new Window(options.WarmupSeconds, options.DurationSeconds);
            var errors = new ErrorBook();
            var stats = new WorkerStats[options.Grains];
            var loops = new Task[options.Grains];
            for (var i = 0; i < loops.Length; i++)
            {
                var mine = stats[i] = new WorkerStats();
                var grain = grains.GetGrain<IWriteGrain>(i);
                loops[i] = Task.Run(() => WriteLoopAsync(grain, mine, window, errors, ct), CancellationToken.None);
            }
            await Task.WhenAll(loops);

            if (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("Baselines: interrupted: no result");
                return 130;
            }
            return await new RunResult("pg-write-ceiling", options.Grains, window, stats, errors).PublishAsync(options.OutFile);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("Baselines: interrupted: no result");
            return 130;
        }
        finally
        {
            if (started)
            {
                using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try { await host.StopAsync(stopTimeout.Token); }
                catch (Exception e) { Console.Error.WriteLine($"pg-writes: silo stop: {ErrorBook.Describe(e)}"); }
            }
            try
            {
                var deleted = await DeleteRowsAsync(db, options.ServiceId, CancellationToken.None);
                Console.Error.WriteLine($"pg-writes: deleted the {deleted} bench rows (ServiceId {options.ServiceId})");
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                Console.Error.WriteLine($"Baselines: could not delete the bench rows: {ErrorBook.Describe(e)}; " +
                                        $"run DELETE FROM OrleansStorage WHERE ServiceId = '{options.ServiceId}'");
            }
        }
    }

    private static async Task WriteLoopAsync(IWriteGrain grain, WorkerStats stats, Window window, ErrorBook errors, CancellationToken ct)
    {
        var n = 0;
        while (window.Open(ct))
        {
            var t0 = Stopwatch.GetTimestamp();
            string? error = null;
            try
            {
                await grain.Write(++n);
            }
            catch (Exception e)
            {
                error = ErrorBook.Describe(e);
            }
            window.Record(stats, t0, Stopwatch.GetTimestamp(), error, errors);
            // A database that refuses fails fast: do not spin the CPU it needs.
            if (error is not null)
            {
                try { await Task.Delay(10, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    private static async Task<int> DeleteRowsAsync(NpgsqlDataSource db, string serviceId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("DELETE FROM OrleansStorage WHERE ServiceId = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The size of the bench grains' payload.</summary>
public sealed record WritePayload(int Bytes);

/// <summary>A grain whose every call is one durable state write.</summary>
[Alias("itempath.bench.IWriteGrain")]
public interface IWriteGrain : IGrainWithIntegerKey
{
    [Alias("Write")]
    Task Write(int n);
}

/// <summary>About the size of a user grain with a couple of sessions (by default): opaque bytes plus the counter.</summary>
[GenerateSerializer, Alias("itempath.bench.WriteState")]
public sealed class WriteState
{
    [Id(0)] public int Counter { get; set; }
    [Id(1)] public byte[] Payload { get; set; } = [];
}

public sealed class WriteGrain(
    [PersistentState("write", StorageNames.Grains)] IPersistentState<WriteState> state,
    WritePayload payload) : Grain, IWriteGrain
{
    public async Task Write(int n)
    {
        var s = state.State;
        if (s.Payload.Length != payload.Bytes)
        {
            s.Payload = new byte[payload.Bytes];
            Random.Shared.NextBytes(s.Payload);
        }
        s.Counter = n;
        // Every write changes the stored bytes, not only the counter.
        if (s.Payload.Length >= 4) BinaryPrimitives.WriteInt32LittleEndian(s.Payload, n);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // A failed write leaves the ETag unknown: reload from storage on the next call.
            DeactivateOnIdle();
            throw;
        }
    }
}
