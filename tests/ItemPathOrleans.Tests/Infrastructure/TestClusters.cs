using ItemPathOrleans.ClusterNode.Hosting;
using ItemPathOrleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>In-process clusters of real silos running this project's grains.</summary>
public static class TestClusters
{
    /// <summary>
    /// A cluster of <paramref name="silos"/> silos. Without a connection string grains persist to
    /// memory; with one, to PostgreSQL. The same <paramref name="serviceId"/> finds the same state.
    /// </summary>
    public static async Task<InProcessTestCluster> StartAsync(
        short silos = 2, string? connectionString = null, string? serviceId = null, TimeProvider? time = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        if (serviceId is not null) builder.Options.ServiceId = serviceId;
        var configuration = TestSettings.Configuration(connectionString, settings);
        builder.ConfigureHost(host =>
        {
            host.Configuration.AddConfiguration(configuration);
            if (time is not null) host.Services.Replace(ServiceDescriptor.Singleton(time));
        });
        // Cluster TLS when the settings turn it on (Orleans:Tls:*), as the silo and API programs do.
        builder.ConfigureSilo((_, silo) => silo.UseItemPathTls(configuration).AddItemPathGrains(configuration));
        builder.ConfigureClient(client => client.UseItemPathTls(configuration));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>
    /// Stops a cluster whose clock is <paramref name="time"/>: a silo's shutdown waits on its own
    /// clock, so the fake one is moved on until the cluster has stopped.
    /// </summary>
    public static async Task DisposeAsync(InProcessTestCluster cluster, FakeTimeProvider time)
    {
        var stop = cluster.DisposeAsync().AsTask();
        while (!stop.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(stop, Task.Delay(20));
        }
        await stop;
    }
}
