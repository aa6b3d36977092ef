using Npgsql;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// The project's db/*.sql files, applied the way scripts/pg.sh applies them (each file in one
/// transaction), into a fresh database of the test server that is dropped afterwards.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public class SchemaTests
{
    /// <summary>Keys the ADO.NET providers look up at silo start ("Not all required queries found").</summary>
    public static readonly string[] RequiredQueryKeys =
    [
        // Microsoft.Orleans.Clustering.AdoNet
        "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey",
        // Microsoft.Orleans.Persistence.AdoNet
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
    ];

    [Fact]
    public async Task Applying_every_schema_file_a_second_time_changes_nothing()
    {
        await using var db = await PostgresTestDatabase.CreateScratchAsync("schema");
        await PostgresTestDatabase.ApplySchemaAsync(db.ConnectionString);
        var first = await SnapshotAsync(db.ConnectionString);

        await PostgresTestDatabase.ApplySchemaAsync(db.ConnectionString);
        var second = await SnapshotAsync(db.ConnectionString);

        // The first application created something to compare (a snapshot of nothing proves nothing).
        Assert.Contains(first.Columns, c => c.StartsWith("orleansstorage.payloadbinary ", StringComparison.Ordinal));
        Assert.Contains(first.Columns, c => c.StartsWith("itempath_users.username ", StringComparison.Ordinal));
        Assert.NotEmpty(first.Indexes);
        Assert.NotEmpty(first.Functions);
        Assert.NotEmpty(first.Queries);

        Assert.Equal(first.Columns, second.Columns);
        Assert.Equal(first.Indexes, second.Indexes);
        Assert.Equal(first.Constraints, second.Constraints);
        Assert.Equal(first.Queries, second.Queries);
        Assert.Equal(first.Functions, second.Functions);
        Assert.Equal(first.Migrations, second.Migrations);
    }

    [Fact]
    public async Task The_schema_registers_every_query_the_Orleans_providers_require()
    {
        await using var db = await PostgresTestDatabase.CreateScratchAsync("schema");
        await PostgresTestDatabase.ApplySchemaAsync(db.ConnectionString);

        var queries = await QueriesAsync(db.ConnectionString);

        var missing = RequiredQueryKeys.Where(k => !queries.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, $"OrleansQuery lacks: {string.Join(", ", missing)}");
        foreach (var key in RequiredQueryKeys)
        {
            Assert.False(string.IsNullOrWhiteSpace(queries[key]), $"OrleansQuery {key} has an empty text");
        }
    }

    [Fact]
    public async Task Every_schema_file_records_itself_in_the_migrations_table()
    {
        await using var db = await PostgresTestDatabase.CreateScratchAsync("schema");
        await PostgresTestDatabase.ApplySchemaAsync(db.ConnectionString);

        var expected = PostgresTestDatabase.SchemaFiles()
            .Select((f, i) => $"{i + 1} {Path.GetFileNameWithoutExtension(f)}")
            .ToList();
        var recorded = await RowsAsync(db.ConnectionString,
            "SELECT version::text || ' ' || name FROM itempath_schema_migrations ORDER BY version");
        Assert.Equal(expected, recorded);
    }

    [Fact]
    public async Task Concurrent_applications_of_the_schema_into_an_empty_database_all_succeed()
    {
        await using var db = await PostgresTestDatabase.CreateScratchAsync("schema");

        // run.sh and test.sh may apply at the same moment: CREATE ... IF NOT EXISTS alone races
        // (duplicate key in pg_type / pg_class); the files serialise on an advisory lock.
        var appliers = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => PostgresTestDatabase.ApplySchemaAsync(db.ConnectionString)))
            .ToArray();
        await Task.WhenAll(appliers);

        var queries = await QueriesAsync(db.ConnectionString);
        Assert.All(RequiredQueryKeys, key => Assert.True(queries.ContainsKey(key), $"OrleansQuery lacks {key}"));
    }

    private sealed record Snapshot(
        List<string> Columns,
        List<string> Indexes,
        List<string> Constraints,
        List<string> Queries,
        List<string> Functions,
        List<string> Migrations);

    private static async Task<Snapshot> SnapshotAsync(string connectionString) => new(
        await RowsAsync(connectionString, """
            SELECT table_name || '.' || column_name || ' ' || concat_ws(' | ',
                   ordinal_position, data_type, udt_name, is_nullable, column_default,
                   character_maximum_length, numeric_precision, datetime_precision, collation_name,
                   is_identity, is_generated)
            FROM information_schema.columns
            WHERE table_schema = 'public'
            ORDER BY table_name, ordinal_position
            """),
        await RowsAsync(connectionString, """
            SELECT tablename || ' ' || indexname || ' ' || indexdef
            FROM pg_indexes
            WHERE schemaname = 'public'
            ORDER BY tablename, indexname
            """),
        await RowsAsync(connectionString, """
            SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'public'
            ORDER BY 1
            """),
        await RowsAsync(connectionString, """
            SELECT QueryKey || E'\n' || QueryText FROM OrleansQuery ORDER BY QueryKey
            """),
        await RowsAsync(connectionString, """
            SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || E')\n' || pg_get_functiondef(p.oid)
            FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
            ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)
            """),
        await RowsAsync(connectionString, """
            SELECT version::text || ' ' || name FROM itempath_schema_migrations ORDER BY version
            """));

    private static async Task<Dictionary<string, string>> QueriesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) queries[reader.GetString(0)] = reader.GetString(1);
        return queries;
    }

    private static async Task<List<string>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
