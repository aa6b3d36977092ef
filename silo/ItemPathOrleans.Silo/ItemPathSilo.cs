using System.Net;
using ItemPathOrleans.ClusterNode.Hosting;
using ItemPathOrleans.Grains.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace ItemPathOrleans.Silo;

/// <summary>
/// The silo's configuration, shared by the program and the tests: grain services, and either
/// PostgreSQL clustering and storage (ADO.NET, invariant Npgsql) or, without a connection
/// string, localhost clustering and memory storage for development.
/// </summary>
public static class ItemPathSilo
{
    public const string ConnectionStringName = "ItemPath";
    public const string Invariant = "Npgsql";

    public static ISiloBuilder ConfigureItemPath(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        var options = configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        if (string.IsNullOrEmpty(connectionString))
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
        }
        else
        {
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = IPAddress.Parse(options.AdvertisedIPAddress);
                o.SiloPort = options.SiloPort;
                o.GatewayPort = options.GatewayPort;
            });
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
        }
        silo.UseItemPathTls(configuration);
        return silo.AddItemPathGrains(configuration);
    }

    /// <summary>
    /// Everything but clustering (which test clusters bring themselves): the grains' services,
    /// their storage (PostgreSQL with a connection string, memory without), and the first start.
    /// </summary>
    public static ISiloBuilder AddItemPathGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        silo.Services.AddItemPathGrainServices(configuration, connectionString);
        if (string.IsNullOrEmpty(connectionString))
        {
            // The Orleans serializer here too: the default JSON one cannot read some state shapes back.
            silo.AddMemoryGrainStorage(StorageNames.Grains, (OptionsBuilder<MemoryGrainStorageOptions> ob) =>
                ob.Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer)));
        }
        else
        {
            silo.AddItemPathPostgresStorage(connectionString);
        }
        silo.AddIncomingGrainCallFilter<StorageFailureFilter>();
        // Traces continue from the caller into grain calls (only when something listens).
        silo.AddActivityPropagation();
        silo.Services.AddSingleton<FirstStart>();
        silo.AddStartupTask((services, ct) => services.GetRequiredService<FirstStart>().RunAsync(ct));
        return silo;
    }

    /// <summary>
    /// Grain storage in PostgreSQL, serialized with the Orleans serializer so the state classes'
    /// <c>[Id]</c> numbering gives version tolerance.
    /// </summary>
    public static ISiloBuilder AddItemPathPostgresStorage(this ISiloBuilder silo, string connectionString)
    {
        silo.AddAdoNetGrainStorage(AdoNetStorageName, (OptionsBuilder<AdoNetGrainStorageOptions> ob) =>
            ob.Configure<Serializer>((o, serializer) =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        // The grains use the ADO.NET storage through a guard that turns database failures into an
        // exception callers can receive (see StorageFailures).
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Grains, (services, _) =>
            new GuardedGrainStorage(services.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName),
                services.GetRequiredService<ILogger<GuardedGrainStorage>>()));
        return silo;
    }

    /// <summary>The name the ADO.NET provider is registered under (rows do not carry it).</summary>
    private const string AdoNetStorageName = "itempath-adonet";
}
