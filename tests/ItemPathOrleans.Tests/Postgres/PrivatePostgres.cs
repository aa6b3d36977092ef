using System.Diagnostics;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// A PostgreSQL server of a test's own (scripts/pg.sh in a throwaway folder, schema applied), for
/// tests that stop and start the database: the suite's shared server must stay up for the others.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _data;
    private readonly int _port;

    private PrivatePostgres(string folder, int port)
    {
        _folder = folder;
        _data = Path.Combine(folder, "pg");
        _port = port;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Database=itempath;Username=postgres;Timeout=5;Command Timeout=10";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("itempath-pg-").FullName;
        // PostgreSQL runs as its own user, which must reach the data folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        var port = int.Parse((await PgAsync("free-port")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var server = new PrivatePostgres(folder, port);
        await server.StartServerAsync();
        await PostgresTestDatabase.ApplySchemaAsync(server.ConnectionString);
        return server;
    }

    public Task StartServerAsync() => PgAsync("start", _data, _port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task StopServerAsync() => PgAsync("stop", _data);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task<string> PgAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(PostgresTestDatabase.RepositoryRoot(), "scripts", "pg.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = PostgresTestDatabase.RepositoryRoot(),
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ITEMPATH_PG_FAST"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("scripts/pg.sh did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/pg.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await errors}");
        return await output;
    }
}
