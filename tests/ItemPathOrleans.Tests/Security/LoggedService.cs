using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Security;

/// <summary>
/// A two-silo cluster and an API built as <see cref="TestClusters.StartAsync"/> and
/// <see cref="ApiFactory"/> build them, with every log line of every host captured at every level:
/// for the tests that read the logs for secrets. Grains persist to memory, or to PostgreSQL with a
/// connection string.
/// </summary>
public sealed class LoggedService : IAsyncDisposable
{
    public LogCapture ClusterLog { get; } = new("cluster");
    public LogCapture ApiLog { get; } = new("api");
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public WebApplicationFactory<Program> Api { get; private set; } = null!;

    /// <summary>Every captured line, silos and cluster client first, then the API.</summary>
    public List<CapturedLog> Lines => ClusterLog.Lines.Concat(ApiLog.Lines).ToList();

    public static async Task<LoggedService> StartAsync(
        IReadOnlyDictionary<string, string?>? clusterSettings = null, IReadOnlyDictionary<string, string?>? apiSettings = null,
        string? connectionString = null)
    {
        var service = new LoggedService();
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        // The test database outlives the cluster: a service id of its own finds none of another run's state.
        if (connectionString is not null) builder.Options.ServiceId = $"logged-{Guid.NewGuid():N}";
        var configuration = TestSettings.Configuration(connectionString, clusterSettings);
        builder.ConfigureHost(host =>
        {
            host.Configuration.AddConfiguration(configuration);
            host.Logging.AddProvider(service.ClusterLog).SetMinimumLevel(LogLevel.Trace).AddFilter<LogCapture>(null, LogLevel.Trace);
        });
        builder.ConfigureSilo((_, silo) => silo.AddItemPathGrains(configuration));
        service.Cluster = builder.Build();
        await service.Cluster.DeployAsync();
        service.Api = new ApiFactory(service.Cluster.Client, settings: apiSettings).WithWebHostBuilder(b =>
            b.ConfigureLogging(l => l.ClearProviders().AddProvider(service.ApiLog).SetMinimumLevel(LogLevel.Trace).AddFilter<LogCapture>(null, LogLevel.Trace)));
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        if (Api is not null) await Api.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
