using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace ItemPathOrleans.Tests.Faults;

/// <summary>
/// An in-process cluster as a deployment runs it: every silo keeps its membership in PostgreSQL
/// (ADO.NET clustering, not the testing host's in-memory table) and its grain state there too,
/// in a scratch database of its own; the client finds the gateways through the same table.
/// Membership and response timeouts are tuned down, as the design asks of tests that kill silos.
/// </summary>
public sealed class FaultCluster : IAsyncDisposable
{
    /// <summary>Membership tuned down, as the design asks of tests that kill silos (Orleans' defaults take tens of seconds).</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    public const int NumMissedProbesLimit = 3;
    /// <summary>As the API's default (<c>Orleans:ResponseTimeoutSeconds</c>).</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    private readonly ScratchDatabase _database;
    private readonly ITestOutputHelper _output;
    private readonly HashSet<string> _pools = [];

    private FaultCluster(ScratchDatabase database, string serviceId, ITestOutputHelper output)
    {
        _database = database;
        ServiceId = serviceId;
        ClusterId = serviceId;
        _output = output;
    }

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public string ServiceId { get; }
    public string ClusterId { get; }

    /// <summary>The scratch database as its owner (pooled): for the client and for the test's own queries.</summary>
    public string ConnectionString => Pooled(_database.ConnectionString, "faults-client");

    public IClusterClient Client => Cluster.Client;

    /// <summary>Starts <paramref name="silos"/> silos on a new scratch database with the project's schema.</summary>
    public static async Task<FaultCluster> StartAsync(ITestOutputHelper output, short silos = 3, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var database = await PostgresTestDatabase.CreateScratchAsync("faults");
        var cluster = new FaultCluster(database, $"faults-{Guid.NewGuid():N}", output);
        try
        {
            await PostgresTestDatabase.ApplySchemaAsync(database.ConnectionString);
            await cluster.DeployAsync(silos, settings);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task DeployAsync(short silos, IReadOnlyDictionary<string, string?>? settings)
    {
        // The first silo alone, then the others: on a fresh database the first start bootstraps
        // the tenant and its admin, and silos that start together on an empty database can race
        // there (a duplicate tenant grain activation while membership settles fails one silo's
        // start on the storage ETag). Here the others join a cluster that is already set up, as
        // silos added to a running deployment do.
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        UseRealMembership(builder.Options);
        builder.Options.ServiceId = ServiceId;
        builder.Options.ClusterId = ClusterId;

        builder.ConfigureSiloHost((silo, host) =>
        {
            var connectionString = Pooled(_database.ConnectionString, $"faults-{silo.SiloName}");
            var configuration = TestSettings.Configuration(connectionString, settings);
            host.Configuration.AddConfiguration(configuration);
            host.UseOrleans(orleans =>
            {
                orleans.UseAdoNetClustering(o =>
                {
                    o.Invariant = ItemPathSilo.Invariant;
                    o.ConnectionString = connectionString;
                });
                orleans.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = ProbeTimeout;
                    o.NumMissedProbesLimit = NumMissedProbesLimit;
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                    o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
                });
                orleans.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
                orleans.AddItemPathGrains(configuration);
            });
        });
        builder.ConfigureClient(client =>
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = ItemPathSilo.Invariant;
                o.ConnectionString = ConnectionString;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
        });

        Cluster = builder.Build();
        await Cluster.DeployAsync();
        if (silos > 1) await Cluster.StartSilosAsync(silos - 1);

        // Every silo Active in the table and in the cluster's own view.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await MembershipAsync()).Values.Count(status => status == 3) < silos
            || (await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count < silos)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"the {silos} silos did not all become active");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Orleans.TestingHost 10.4 always gives in-process clusters its in-memory membership table
    /// (and an in-memory grain directory keyed on that table) unless
    /// <c>InProcessTestClusterOptions.UseTestClusterMembership</c> is false, and that property is
    /// internal. With it false the host registers neither, so the silos' own ADO.NET clustering and
    /// Orleans' default grain directory are used, as in a deployment; the client then finds its
    /// gateways through ADO.NET too. Set by reflection; a renamed property fails here, loudly.
    /// </summary>
    private static void UseRealMembership(InProcessTestClusterOptions options)
    {
        var property = typeof(InProcessTestClusterOptions).GetProperty("UseTestClusterMembership",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("InProcessTestClusterOptions.UseTestClusterMembership is gone: find how this Orleans.TestingHost turns its in-memory membership off");
        property.SetValue(options, false);
    }

    /// <summary>The membership rows of this cluster: silo address (as <c>SiloAddress.ToParsableString</c>) to status (Orleans' SiloStatus: 3 Active, 6 Dead).</summary>
    public async Task<Dictionary<string, int>> MembershipAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT address, port, generation, status FROM orleansmembershiptable WHERE deploymentid = @id", connection);
        command.Parameters.AddWithValue("id", ClusterId);
        var rows = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows[$"{reader.GetString(0)}:{reader.GetInt32(1)}@{reader.GetInt32(2)}"] = reader.GetInt32(3);
        return rows;
    }

    /// <summary>The security events of one user of tenant <c>default</c> that are not logins: what ended a session, and when.</summary>
    public async Task<List<string>> SecurityEventsAsync(int userId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT at, name, detail FROM itempath_security_events WHERE tenant = 'default' AND user_id = @id AND name NOT LIKE 'login%' ORDER BY at, id", connection);
        command.Parameters.AddWithValue("id", userId);
        var events = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            events.Add($"{reader.GetFieldValue<DateTimeOffset>(0):HH:mm:ss.fff} {reader.GetString(1)} {(reader.IsDBNull(2) ? "" : reader.GetString(2))}");
        return events;
    }

    /// <summary>Polls the membership table until <paramref name="silo"/>'s row says Dead; answers whether it did in time.</summary>
    public async Task<bool> WaitUntilDeclaredDeadAsync(InProcessSiloHandle silo, TimeSpan timeout)
    {
        var key = silo.SiloAddress.ToParsableString();
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if ((await MembershipAsync()).TryGetValue(key, out var status) && status == 6) return true;
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>Stops what is left of the cluster (bounded: a stuck silo must not hang the suite), then drops the database.</summary>
    public async ValueTask DisposeAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            if (Cluster is not null) await Cluster.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(90));
            _output.WriteLine($"cluster disposed in {started.Elapsed.TotalSeconds:0.0}s");
        }
        catch (Exception ex)
        {
            _output.WriteLine($"disposing the cluster after {started.Elapsed.TotalSeconds:0.0}s: {ex.GetType().Name}: {ex.Message}");
        }
        // Only this cluster's pools: other tests of the process keep theirs.
        foreach (var connectionString in _pools) NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await _database.DisposeAsync();
    }

    private string Pooled(string connectionString, string application)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true, ApplicationName = application };
        lock (_pools) _pools.Add(builder.ConnectionString);
        return builder.ConnectionString;
    }
}
