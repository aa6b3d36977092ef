using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace ItemPathOrleans.Grains.Hosting;

/// <summary>How long what only grows is kept (section <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Minutes between two sweeps on each silo; 0 turns sweeping off.</summary>
    public int SweepIntervalMinutes { get; set; } = 10;

    /// <summary>
    /// Minutes an authorization code's row is kept after its last write. A code lives 60 s, so
    /// anything older is worth nothing but its replay signal.
    /// </summary>
    public int AuthorizationCodeMinutes { get; set; } = 60;

    /// <summary>Days a security event is kept; 0 keeps them all.</summary>
    public int SecurityEventDays { get; set; } = 365;

    public IEnumerable<string> Validate()
    {
        if (SweepIntervalMinutes is < 0 or > 1440) yield return "Retention:SweepIntervalMinutes must be between 0 (off) and 1440.";
        if (AuthorizationCodeMinutes is < 5 or > 10080) yield return "Retention:AuthorizationCodeMinutes must be between 5 and 10080.";
        if (SecurityEventDays is < 0 or > 36500) yield return "Retention:SecurityEventDays must be between 0 (keep all) and 36500.";
    }
}

/// <summary>
/// Deletes what is past its retention, in batches: the rows of authorization codes (a code's own
/// activation clears its row when it ends after the code's expiry, but a silo that dies ends no
/// activation, so its codes' rows would stay forever), and security events older than
/// <see cref="RetentionOptions.SecurityEventDays"/> (the table is append-only). Every silo
/// sweeps: a row is deleted once, whoever gets it, and rows another sweep holds are skipped. Ages
/// are measured by the database's clock, which wrote the rows.
/// </summary>
public sealed partial class RetentionSweeper(
    NpgsqlDataSource database,
    IOptions<RetentionOptions> options,
    IOptions<ClusterOptions> cluster,
    TimeProvider time,
    ILogger<RetentionSweeper> logger) : BackgroundService
{
    /// <summary>Rows deleted per statement: short transactions, whatever the backlog.</summary>
    public const int BatchSize = 1000;

    // GrainTypeString holds the state's name ([PersistentState("code", ...)]); a partial index
    // covers exactly these rows (db/03-orleans-persistence.sql).
    private const string CodesSql = """
        DELETE FROM OrleansStorage WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM OrleansStorage
            WHERE GrainTypeString = 'code' AND ServiceId = $1 AND ModifiedOn < now() - make_interval(mins => $2)
            LIMIT $3 FOR UPDATE SKIP LOCKED))
        """;

    // A BRIN index on "at" finds the old end of the table (db/04-itempath.sql).
    private const string EventsSql = """
        DELETE FROM itempath_security_events WHERE id = ANY(ARRAY(
            SELECT id FROM itempath_security_events
            WHERE at < now() - make_interval(days => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED))
        """;

    /// <summary>One sweep, batch by batch until nothing is left past retention.</summary>
    public async Task<SweepResult> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        var codes = await DeleteAllAsync(CodesSql, [cluster.Value.ServiceId, options.Value.AuthorizationCodeMinutes], cancellationToken);
        var events = options.Value.SecurityEventDays == 0 ? 0
            : await DeleteAllAsync(EventsSql, [options.Value.SecurityEventDays], cancellationToken);
        return new SweepResult(codes, events);
    }

    private async Task<int> DeleteAllAsync(string sql, object[] parameters, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var command = database.CreateCommand(sql);
            foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = BatchSize });
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < BatchSize) return total;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var minutes = options.Value.SweepIntervalMinutes;
        if (minutes == 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(minutes), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var swept = await SweepOnceAsync(stoppingToken);
                    if (swept.AuthorizationCodes + swept.SecurityEvents > 0) LogSwept(logger, swept.AuthorizationCodes, swept.SecurityEvents);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    // The database is away: the next tick tries again; nothing is lost by waiting.
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: removed {Codes} expired authorization codes' rows and {Events} security events")]
    private static partial void LogSwept(ILogger logger, int codes, int events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The retention sweep failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>What one sweep deleted.</summary>
public readonly record struct SweepResult(int AuthorizationCodes, int SecurityEvents);
