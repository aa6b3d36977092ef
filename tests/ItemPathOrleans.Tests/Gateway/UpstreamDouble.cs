using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>
/// The service behind the gateway: a Kestrel app on loopback that records what it receives and
/// answers 200 with the path. Every request it sees is kept, so a test can prove that a refused
/// one never arrived.
/// </summary>
public sealed class UpstreamDouble : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Url { get; }

    private UpstreamDouble(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>
    /// One request as it arrived. <see cref="Headers"/> are Kestrel's enumeration, which keeps the
    /// name as it came over the wire (<c>X_Auth_User</c> stays <c>X_Auth_User</c>); lines whose
    /// names differ only in case are one entry with all their values.
    /// </summary>
    public sealed record Received(string Method, string PathAndQuery, IReadOnlyList<KeyValuePair<string, string[]>> Headers, string Body)
    {
        /// <summary>The values of a header, by case-insensitive name, over every line that carried it.</summary>
        public string[] Values(string name) =>
            Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Value).ToArray();
    }

    public static async Task<UpstreamDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        UpstreamDouble? self = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.Select(h => new KeyValuePair<string, string[]>(h.Key, h.Value.Select(v => v ?? "").ToArray())).ToList();
            self!.Requests.Enqueue(new Received(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsJsonAsync(new { upstream = true, path = context.Request.Path.Value });
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        self = new UpstreamDouble(app, url);
        return self;
    }

    /// <summary>A loopback URL where nothing listens (a port just released).</summary>
    public static string Nowhere()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
