using System.Net;
using System.Net.Sockets;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ItemPathOrleans.Tests.Operations;

/// <summary>
/// The silo as its program builds it: no HTTP server at all unless the dashboard is enabled, and
/// then the dashboard on loopback unless another address is configured.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class DashboardTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A silo of its own (development clustering, memory storage) on free ports.</summary>
    private static string[] SiloArgs(params string[] more) =>
    [
        $"--Orleans:SiloPort={FreePort()}",
        $"--Orleans:GatewayPort={FreePort()}",
        $"--Orleans:ClusterId=dashboard-{Guid.NewGuid():N}",
        $"--Tokens:MasterKeys:0:Id={TestSettings.MasterKeyId}",
        $"--Tokens:MasterKeys:0:Secret={TestSettings.MasterSecret}",
        $"--Bootstrap:AdminPassword={TestSettings.AdminPassword}",
        "--Passwords:MemoryKib=8192",
        "--Passwords:Iterations=1",
        .. more,
    ];

    [Fact]
    public void The_dashboard_is_off_by_default_and_the_silo_serves_no_HTTP()
    {
        using var host = ItemPathOrleans.Silo.Program.Build(SiloArgs());
        Assert.Null(host.Services.GetService<IServer>());
    }

    [Fact]
    public async Task An_enabled_dashboard_is_served_on_loopback_only()
    {
        var port = FreePort();
        using var host = ItemPathOrleans.Silo.Program.Build(SiloArgs("--Dashboard:Enabled=true", $"--Dashboard:Port={port}"));
        await host.StartAsync();
        try
        {
            var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            Assert.Equal([$"http://127.0.0.1:{port}"], addresses);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var page = await http.GetAsync($"http://127.0.0.1:{port}/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Orleans", await page.Content.ReadAsStringAsync());
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
