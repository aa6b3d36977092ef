using System.Collections.Concurrent;
using ItemPathOrleans.ClusterNode.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace ItemPathOrleans.Grains.Security;

/// <summary>Stable names of security events (log event names and the <c>name</c> column).</summary>
public static class SecurityEventNames
{
    public const string LoginSucceeded = "login_succeeded";
    public const string LoginFailed = "login_failed";
    public const string LockedOut = "locked_out";
    public const string UserCreated = "user_created";
    public const string UserChanged = "user_changed";
    public const string UserDeleted = "user_deleted";
    public const string KeyRotated = "key_rotated";
    public const string KeyRetired = "key_retired";
    public const string RefreshReuseDetected = "refresh_reuse_detected";
    public const string SessionRevoked = "session_revoked";
    public const string ApplicationTokenCreated = "application_token_created";
    public const string ApplicationTokenRevoked = "application_token_revoked";
    public const string PasswordChanged = "password_changed";
    /// <summary>An operator set an admin's password from the command line (break-glass).</summary>
    public const string BreakGlassPasswordReset = "break_glass_password_reset";
    public const string SsoLoginSucceeded = "sso_login_succeeded";
    public const string SsoLoginRefused = "sso_login_refused";
    public const string SsoLinked = "sso_linked";
    public const string ClientCreated = "client_created";
    public const string ClientChanged = "client_changed";
    public const string ClientDeleted = "client_deleted";
    public const string ClientSecretAdded = "client_secret_added";
    public const string ClientSecretRemoved = "client_secret_removed";
    public const string ClientTokenRevoked = "client_token_revoked";
    public const string CodeRedeemed = "authorization_code_redeemed";
    public const string CodeReplayed = "authorization_code_replayed";
    public const string ConsentGranted = "consent_granted";
}

/// <summary>One security event: never a password or a token in it.</summary>
public sealed record SecurityEvent(string Tenant, int? UserId, string Name, string? Detail, DateTimeOffset At, string? Address = null);

/// <summary>
/// Where security events go: a structured log event always, and an append-only store (the
/// <c>itempath_security_events</c> table), not grain state, so a user's state stays small.
/// Recording never fails the request that caused it.
/// </summary>
public interface ISecurityEventStore
{
    Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken = default);

    /// <summary>A user's events, newest first, paged, with the total.</summary>
    Task<(IReadOnlyList<SecurityEvent> Events, int Total)> QueryAsync(string tenant, int userId, int limit, int page, CancellationToken cancellationToken = default);
}

public sealed partial class SecurityEvents(ISecurityEventStore store, ILogger<SecurityEvents> logger)
{
    public async Task RecordAsync(SecurityEvent e)
    {
        // A detail may quote what a client chose (a username): escaped in the log, kept as is in the store.
        LogEvent(logger, e.Name, e.Tenant, e.UserId, e.Detail is null ? null : LogText.Escape(e.Detail));
        try
        {
            await store.AppendAsync(e);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LogStoreFailed(logger, ex, e.Name, e.Tenant);
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Security event {EventName} for user {UserId} of tenant {Tenant}: {Detail}")]
    private static partial void LogEvent(ILogger logger, string eventName, string tenant, int? userId, string? detail);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Security event {EventName} of tenant {Tenant} could not be stored")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string eventName, string tenant);
}

/// <summary>
/// The events of fast tests and storage-less runs: the newest few thousand, in memory, shared by
/// every silo of one service in this process (as they would share the table).
/// </summary>
public sealed class InMemorySecurityEventStore(IOptions<ClusterOptions> cluster) : ISecurityEventStore
{
    private const int Capacity = 4096;
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<SecurityEvent>> Services = new();

    private ConcurrentQueue<SecurityEvent> Queue => Services.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public IReadOnlyCollection<SecurityEvent> Events => Queue;

    public Task AppendAsync(SecurityEvent securityEvent, CancellationToken cancellationToken = default)
    {
        Queue.Enqueue(securityEvent);
        while (Queue.Count > Capacity) Queue.TryDequeue(out _);
        return Task.CompletedTask;
    }

    public Task<(IReadOnlyList<SecurityEvent> Events, int Total)> QueryAsync(string tenant, int userId, int limit, int page, CancellationToken cancellationToken = default)
    {
        var mine = Queue.Where(e => e.Tenant == tenant && e.UserId == userId).Reverse().ToList();
        return Task.FromResult<(IReadOnlyList<SecurityEvent>, int)>((mine.Skip((int)Math.Min(int.MaxValue, (long)page * limit)).Take(limit).ToList(), mine.Count));
    }
}

public sealed class PostgresSecurityEventStore(NpgsqlDataSource dataSource) : ISecurityEventStore
{
    public async Task AppendAsync(SecurityEvent e, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand(
            "insert into itempath_security_events (tenant, user_id, at, name, address, detail) values ($1, $2, $3, $4, $5, $6)");
        cmd.Parameters.AddWithValue(e.Tenant);
        cmd.Parameters.AddWithValue((object?)e.UserId ?? DBNull.Value);
        cmd.Parameters.AddWithValue(e.At.UtcDateTime);
        cmd.Parameters.AddWithValue(e.Name);
        cmd.Parameters.AddWithValue((object?)e.Address ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.Detail ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(IReadOnlyList<SecurityEvent> Events, int Total)> QueryAsync(string tenant, int userId, int limit, int page, CancellationToken cancellationToken = default)
    {
        await using var batch = dataSource.CreateBatch();
        var select = new NpgsqlBatchCommand("select at, name, address, detail from itempath_security_events where tenant = $1 and user_id = $2 order by at desc, id desc limit $3 offset $4");
        select.Parameters.AddWithValue(tenant);
        select.Parameters.AddWithValue(userId);
        select.Parameters.AddWithValue(limit);
        select.Parameters.AddWithValue((long)page * limit);
        var count = new NpgsqlBatchCommand("select count(*) from itempath_security_events where tenant = $1 and user_id = $2");
        count.Parameters.AddWithValue(tenant);
        count.Parameters.AddWithValue(userId);
        batch.BatchCommands.Add(select);
        batch.BatchCommands.Add(count);

        var events = new List<SecurityEvent>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new SecurityEvent(tenant, userId, reader.GetString(1), reader.IsDBNull(3) ? null : reader.GetString(3),
                new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (events, (int)reader.GetInt64(0));
    }
}
