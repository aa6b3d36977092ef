using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace ItemPathOrleans.Grains.Codes;

/// <summary>Options of the sweep of expired authorization codes' rows (section <c>Codes</c>).</summary>
public sealed class CodeSweepOptions
{
    public const string Section = "Codes";

    /// <summary>Minutes between two sweeps on each silo; 0 turns the sweep off.</summary>
    public int SweepIntervalMinutes { get; set; } = 10;

    /// <summary>
    /// Minutes a code's row is kept after its last write. A code lives 60 s, so anything older
    /// is worth nothing but its replay signal.
    /// </summary>
    public int RetentionMinutes { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        if (SweepIntervalMinutes is < 0 or > 1440) yield return "Codes:SweepIntervalMinutes must be between 0 (off) and 1440.";
        if (RetentionMinutes is < 5 or > 10080) yield return "Codes:RetentionMinutes must be between 5 and 10080.";
    }
}

/// <summary>
/// Removes the rows of authorization codes older than <see cref="CodeSweepOptions.RetentionMinutes"/>
/// from the grain-state table. A code's own activation clears its row when it ends after the
/// code's expiry; a silo that dies ends no activation, and its codes' rows would stay forever.
/// Every silo sweeps (a row is deleted once, whoever gets it; rows another sweep holds are
/// skipped), in batches, ages measured by the database's clock, which wrote them.
/// </summary>
public sealed partial class ExpiredCodeSweeper(
    NpgsqlDataSource database,
    IOptions<CodeSweepOptions> options,
    IOptions<ClusterOptions> cluster,
    TimeProvider time,
    ILogger<ExpiredCodeSweeper> logger) : BackgroundService
{
    /// <summary>Rows deleted per statement: short transactions, whatever the backlog.</summary>
    public const int BatchSize = 1000;

    // GrainTypeString holds the state's name ([PersistentState("code", ...)]).
    private const string Sql = """
        DELETE FROM OrleansStorage WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM OrleansStorage
            WHERE GrainTypeString = 'code' AND ServiceId = $1 AND ModifiedOn < now() - make_interval(mins => $2)
            LIMIT $3 FOR UPDATE SKIP LOCKED))
        """;

    /// <summary>One sweep: every row past retention, batch by batch. Returns how many went.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            await using var command = database.CreateCommand(Sql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cluster.Value.ServiceId });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Value.RetentionMinutes });
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
                    var removed = await SweepOnceAsync(stoppingToken);
                    if (removed > 0) LogSwept(logger, removed);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the rows of {Count} expired authorization codes")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep of expired authorization codes failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
