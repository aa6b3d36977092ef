using ItemPathOrleans.Tests.Infrastructure;
using Npgsql;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// Helpers for tests that talk to the PostgreSQL server of ./test.sh (ITEMPATH_TEST_PG):
/// the repository's db/*.sql files, and throwaway databases created beside the test database.
/// </summary>
public static class PostgresTestDatabase
{
    /// <summary>The folder holding ItemPathOrleans.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ItemPathOrleans.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"ItemPathOrleans.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Every db/*.sql file, in name order (the order scripts/pg.sh applies them).</summary>
    public static IReadOnlyList<string> SchemaFiles()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryRoot(), "db"), "*.sql")
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0) throw new InvalidOperationException("db/ holds no .sql file");
        return files;
    }

    /// <summary>Applies every db/*.sql file, each as one command text in its own transaction.</summary>
    public static async Task ApplySchemaAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var file in SchemaFiles())
        {
            var sql = await File.ReadAllTextAsync(file);
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand(sql, connection, transaction))
            {
                try
                {
                    await command.ExecuteNonQueryAsync();
                }
                catch (PostgresException ex)
                {
                    throw new InvalidOperationException($"applying {Path.GetFileName(file)} failed: {ex.MessageText}", ex);
                }
            }
            await transaction.CommitAsync();
        }
    }

    /// <summary>Creates a uniquely named empty database on the test server; dispose to drop it.</summary>
    public static async Task<ScratchDatabase> CreateScratchAsync(string purpose)
    {
        var server = new NpgsqlConnectionStringBuilder(TestSettings.PostgresConnectionString);
        var name = $"itempath_{purpose}_{Guid.NewGuid():N}";
        if (name.Length > 63) name = name[..63]; // PostgreSQL's identifier limit
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var scratch = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Pooling = false };
        return new ScratchDatabase(name, scratch.ConnectionString, admin.ConnectionString);
    }
}

public sealed class ScratchDatabase(string name, string connectionString, string adminConnectionString) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
