using System.Data;
using System.Diagnostics;
using ItemPathOrleans.Tests.Infrastructure;
using Npgsql;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// The registered WriteToStorageKey query, called the way Microsoft.Orleans.Persistence.AdoNet
/// calls it (same parameters and types). The provider treats a returned version that equals the
/// ETag it sent, or NULL, as a conflict (InconsistentStateException).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public class GrainStorageTests
{
    private sealed record GrainKey(int IdHash, long N0, long N1, int TypeHash, string Type, string? Extension, string ServiceId);

    private static GrainKey NewKey() => new(
        Random.Shared.Next(), 0, 0, Random.Shared.Next(), "user", $"t|{Guid.NewGuid():N}", $"storage-{Guid.NewGuid():N}");

    [Fact]
    public async Task Two_overlapping_first_writes_of_one_grain_state_cannot_both_succeed()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var writeQuery = await WriteQueryAsync(connectionString);
        var key = NewKey();
        try
        {
            await using var first = new NpgsqlConnection(connectionString);
            await first.OpenAsync();
            await using var second = new NpgsqlConnection(connectionString);
            await second.OpenAsync();

            // Activation A writes first and has not committed yet...
            await using var transaction = await first.BeginTransactionAsync();
            var firstVersion = await WriteAsync(first, transaction, writeQuery, key, null, [1]);
            Assert.Equal(1, firstVersion);

            // ...while activation B, which also read "no state", writes its first version.
            var secondWrite = WriteAsync(second, null, writeQuery, key, null, [2]);

            // B must not get through before A ends: either it waits for A's row, or it already
            // answered (which is only right if that answer is a conflict).
            await WaitUntilBlockedOrDoneAsync(connectionString, second.ProcessID, secondWrite);
            await transaction.CommitAsync();
            var secondVersion = await secondWrite;

            Assert.True(secondVersion is null, $"the second first-write also succeeded (version {secondVersion})");
            var rows = await RowsAsync(connectionString, key);
            var row = Assert.Single(rows);
            Assert.Equal(1, row.Version);
            Assert.Equal(new byte[] { 1 }, row.Payload);
        }
        finally
        {
            await DeleteAsync(connectionString, key);
        }
    }

    [Fact]
    public async Task A_write_with_a_stale_version_is_refused_and_changes_nothing()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var writeQuery = await WriteQueryAsync(connectionString);
        var key = NewKey();
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();

            Assert.Equal(1, await WriteAsync(connection, null, writeQuery, key, null, [1]));
            Assert.Equal(2, await WriteAsync(connection, null, writeQuery, key, 1, [2]));

            // A stale activation still holding ETag 1, and one that never read the row.
            Assert.Equal(1, await WriteAsync(connection, null, writeQuery, key, 1, [3]));
            Assert.Null(await WriteAsync(connection, null, writeQuery, key, null, [4]));

            var row = Assert.Single(await RowsAsync(connectionString, key));
            Assert.Equal(2, row.Version);
            Assert.Equal(new byte[] { 2 }, row.Payload);
        }
        finally
        {
            await DeleteAsync(connectionString, key);
        }
    }

    private static async Task<string> WriteQueryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey'", connection);
        return await command.ExecuteScalarAsync() as string
               ?? throw new InvalidOperationException("OrleansQuery has no WriteToStorageKey: is db/ applied to ITEMPATH_TEST_PG?");
    }

    /// <summary>One provider write; returns NewGrainStateVersion (null = NULL or no row).</summary>
    private static async Task<int?> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string query, GrainKey key, int? version, byte[] payload)
    {
        await using var command = new NpgsqlCommand(query, connection, transaction);
        Add(command, "GrainIdHash", key.IdHash, DbType.Int32);
        Add(command, "GrainIdN0", key.N0, DbType.Int64);
        Add(command, "GrainIdN1", key.N1, DbType.Int64);
        Add(command, "GrainTypeHash", key.TypeHash, DbType.Int32);
        Add(command, "GrainTypeString", key.Type, DbType.String);
        Add(command, "GrainIdExtensionString", key.Extension, DbType.String);
        Add(command, "ServiceId", key.ServiceId, DbType.String);
        Add(command, "GrainStateVersion", version, DbType.Int32);
        Add(command, "PayloadBinary", payload, DbType.Binary);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        var ordinal = reader.GetOrdinal("NewGrainStateVersion");
        return reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
    }

    private static void Add(NpgsqlCommand command, string name, object? value, DbType type) =>
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });

    private static async Task WaitUntilBlockedOrDoneAsync(string connectionString, int pid, Task write)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        while (!write.IsCompleted)
        {
            await using var command = new NpgsqlCommand(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = @pid AND state = 'active'", connection);
            command.Parameters.AddWithValue("pid", pid);
            if (await command.ExecuteScalarAsync() is "Lock") return;
            if (clock.Elapsed > TimeSpan.FromSeconds(15))
                throw new TimeoutException("the second write neither waited for the first nor answered within 15 s");
            await Task.Delay(10);
        }
    }

    private static async Task<List<(int? Version, byte[]? Payload)>> RowsAsync(string connectionString, GrainKey key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT Version, PayloadBinary FROM OrleansStorage WHERE ServiceId = @s AND GrainIdHash = @h", connection);
        command.Parameters.AddWithValue("s", key.ServiceId);
        command.Parameters.AddWithValue("h", key.IdHash);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int?, byte[]?)>();
        while (await reader.ReadAsync())
            rows.Add((reader.IsDBNull(0) ? null : reader.GetInt32(0), reader.IsDBNull(1) ? null : (byte[])reader[1]));
        return rows;
    }

    private static async Task DeleteAsync(string connectionString, GrainKey key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM OrleansStorage WHERE ServiceId = @s", connection);
        command.Parameters.AddWithValue("s", key.ServiceId);
        await command.ExecuteNonQueryAsync();
    }
}
