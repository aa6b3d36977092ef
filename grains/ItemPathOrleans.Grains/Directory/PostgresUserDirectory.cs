using System.Data;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Npgsql;

namespace ItemPathOrleans.Grains.Directory;

/// <summary>The user directory in PostgreSQL (table <c>itempath_users</c>, created by db/).</summary>
public sealed class PostgresUserDirectory(NpgsqlDataSource dataSource) : IUserDirectory
{
    private const string Columns = "tenant, id, username, email, type, status, is_admin, language, time_zone, created_at, updated_at";

    public async Task UpsertAsync(UserProfile u, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand($"""
            insert into itempath_users ({Columns}, username_normalized, email_normalized)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            on conflict (tenant, id) do update set
              username = excluded.username, email = excluded.email, type = excluded.type,
              status = excluded.status, is_admin = excluded.is_admin, language = excluded.language,
              time_zone = excluded.time_zone, updated_at = excluded.updated_at,
              username_normalized = excluded.username_normalized, email_normalized = excluded.email_normalized
            """);
        var p = cmd.Parameters;
        p.AddWithValue(u.Tenant);
        p.AddWithValue(u.Id);
        p.AddWithValue(u.Username);
        p.AddWithValue((object?)u.Email ?? DBNull.Value);
        p.AddWithValue(u.Type);
        p.AddWithValue(u.Status);
        p.AddWithValue(u.IsAdmin);
        p.AddWithValue(u.Language);
        p.AddWithValue(u.TimeZone);
        p.AddWithValue(u.CreatedAt.UtcDateTime);
        p.AddWithValue(u.UpdatedAt.UtcDateTime);
        p.AddWithValue(GrainKeys.NormalizeName(u.Username));
        p.AddWithValue(u.Email is null ? DBNull.Value : GrainKeys.NormalizeName(u.Email));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string tenant, int userId, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("delete from itempath_users where tenant = $1 and id = $2");
        cmd.Parameters.AddWithValue(tenant);
        cmd.Parameters.AddWithValue(userId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<UserPage> QueryAsync(string tenant, UserQuery query, CancellationToken cancellationToken = default)
    {
        const string Filter = """
            where tenant = $1
              and ($2::text is null or username_normalized like $2 escape '\')
              and ($3::text is null or email_normalized like $3 escape '\')
              and ($4::text is null or type = $4)
              and ($5::int is null or status = $5)
              and ($6::boolean is null or is_admin = $6)
            """;
        await using var batch = dataSource.CreateBatch();
        var select = new NpgsqlBatchCommand($"select {Columns} from itempath_users {Filter} order by id limit $7 offset $8");
        var count = new NpgsqlBatchCommand($"select count(*) from itempath_users {Filter}");
        foreach (var command in new[] { select, count })
        {
            command.Parameters.AddWithValue(tenant);
            command.Parameters.Add(new NpgsqlParameter { Value = Prefix(query.UsernamePrefix), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = Prefix(query.EmailPrefix), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.Type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.Status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)query.IsAdmin ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Boolean });
        }
        select.Parameters.AddWithValue(query.Limit);
        select.Parameters.AddWithValue((long)query.Page * query.Limit);
        batch.BatchCommands.Add(select);
        batch.BatchCommands.Add(count);

        var users = new List<UserProfile>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(new UserProfile(
                reader.GetString(0), reader.GetInt32(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetInt32(5), reader.GetBoolean(6),
                reader.GetString(7), reader.GetString(8),
                new DateTimeOffset(reader.GetDateTime(9), TimeSpan.Zero),
                new DateTimeOffset(reader.GetDateTime(10), TimeSpan.Zero)));
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        return new UserPage(users, total);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("select 1");
            return (await cmd.ExecuteScalarAsync(cancellationToken)) is 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }

    private static object Prefix(string? prefix)
    {
        if (prefix is null) return DBNull.Value;
        var normalized = GrainKeys.NormalizeName(prefix)
            .Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);
        return normalized + "%";
    }
}
