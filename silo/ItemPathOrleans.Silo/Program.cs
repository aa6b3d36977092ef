using System.Net;
using Orleans.Dashboard;

namespace ItemPathOrleans.Silo;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["admin", .. var command]) return await AdminCommand.RunAsync(command, Console.Out, Console.Error);

        using var host = Build(args);
        await host.RunAsync();
        return 0;
    }

    /// <summary>
    /// The silo host. A plain host with no HTTP server unless the dashboard is enabled; then a web
    /// host whose only endpoints are the dashboard's, on <c>Dashboard:Host</c>:<c>Dashboard:Port</c>.
    /// </summary>
    public static IHost Build(string[] args)
    {
        // The choice of host is made before the host exists: read the same sources it will.
        var early = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var dashboard = early.GetSection(DashboardSettings.Section).Get<DashboardSettings>() ?? new DashboardSettings();
        if (!dashboard.Enabled)
        {
            var builder = Host.CreateApplicationBuilder(args);
            Configure(builder, dashboard);
            return builder.Build();
        }

        if (!IPAddress.TryParse(dashboard.Host, out var address)) throw new InvalidOperationException("Dashboard:Host must be an IP address");
        if (dashboard.Port is < 1 or > 65535) throw new InvalidOperationException("Dashboard:Port must be from 1 to 65535");
        var web = WebApplication.CreateBuilder(args);
        Configure(web, dashboard);
        web.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, dashboard.Port);
            k.AddServerHeader = false;
        });
        var app = web.Build();
        app.MapOrleansDashboard();
        return app;
    }

    private static void Configure(IHostApplicationBuilder builder, DashboardSettings dashboard)
    {
        builder.UseOrleans(silo =>
        {
            silo.ConfigureItemPath(builder.Configuration);
            if (dashboard.Enabled) silo.AddDashboard(o => o.HideTrace = !dashboard.ShowLogs);
        });
        builder.Services.AddItemPathSiloObservability(builder.Configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
    }
}
