using System.Text.Json;
using ItemPathOrleans.Contracts.Model;
using Npgsql;
using NpgsqlTypes;

namespace ItemPathOrleans.Grains.Directory;

/// <summary>The client directory in PostgreSQL (table <c>itempath_clients</c>, created by db/): each client as JSON.</summary>
public sealed class PostgresClientDirectory(NpgsqlDataSource dataSource) : IClientDirectory
{
    public async Task UpsertAsync(ClientInfo client, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            insert into itempath_clients (tenant, client_id, client, created_at, updated_at)
            values ($1, $2, $3, $4, $5)
            on conflict (tenant, client_id) do update set
              client = excluded.client, created_at = excluded.created_at, updated_at = excluded.updated_at
            """);
        var p = cmd.Parameters;
        p.AddWithValue(client.Tenant);
        p.AddWithValue(client.ClientId);
        p.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(client), NpgsqlDbType = NpgsqlDbType.Jsonb });
        p.AddWithValue(client.CreatedAt.UtcDateTime);
        p.AddWithValue(client.UpdatedAt.UtcDateTime);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string tenant, string clientId, CancellationToken cancellationToken = default)
    {
        await using var cmd = dataSource.CreateCommand("delete from itempath_clients where tenant = $1 and client_id = $2");
        cmd.Parameters.AddWithValue(tenant);
        cmd.Parameters.AddWithValue(clientId);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ClientPage> QueryAsync(string tenant, int limit, int page, CancellationToken cancellationToken = default)
    {
        await using var batch = dataSource.CreateBatch();
        var select = new NpgsqlBatchCommand("select client::text from itempath_clients where tenant = $1 order by created_at, client_id limit $2 offset $3");
        select.Parameters.AddWithValue(tenant);
        select.Parameters.AddWithValue(limit);
        select.Parameters.AddWithValue((long)page * limit);
        var count = new NpgsqlBatchCommand("select count(*) from itempath_clients where tenant = $1");
        count.Parameters.AddWithValue(tenant);
        batch.BatchCommands.Add(select);
        batch.BatchCommands.Add(count);

        var clients = new List<ClientInfo>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            clients.Add(JsonSerializer.Deserialize<ClientInfo>(reader.GetString(0))!);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ClientPage(clients, reader.GetInt64(0));
    }
}
