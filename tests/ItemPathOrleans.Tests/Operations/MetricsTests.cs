using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Operations;

/// <summary>
/// The counters run alone: the meters are per process, so no other test's logins are counted
/// while these count theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

/// <summary>
/// <c>/metrics</c> on the API counts what the API answers (logins by outcome, refreshes, failures
/// by reason, latency per route); the silo's endpoint counts what only the cluster knows (locks,
/// reuse detections, revocations, sessions, Orleans' grain calls). Neither is served beyond
/// loopback and the configured addresses, and neither carries a tenant, a user or a token.
/// </summary>
[Collection(MetricsCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed partial class MetricsTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;
    private WebApplicationFactory<Program> _api = null!;
    private int _siloMetricsPort;

    public async Task InitializeAsync()
    {
        _siloMetricsPort = FreePort();
        // One silo: its metrics endpoint is a port of this process.
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        var configuration = TestSettings.Configuration(overrides: new Dictionary<string, string?>
        {
            ["Passwords:MemoryKib"] = "8192",
            ["Passwords:Iterations"] = "1",
            ["Observability:Metrics:Port"] = _siloMetricsPort.ToString(CultureInfo.InvariantCulture),
        });
        builder.ConfigureHost(host => host.Configuration.AddConfiguration(configuration));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddItemPathGrains(configuration);
            silo.Services.AddItemPathSiloObservability(configuration);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        _api = FromAddress("127.0.0.1");
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    private WebApplicationFactory<Program> FromAddress(string address, IReadOnlyDictionary<string, string?>? settings = null) =>
        new ApiFactory(_cluster.Client, settings: settings).WithWebHostBuilder(b =>
            b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RemoteAddressFilter(address))));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, string? token, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    /// <summary>The value of the series <paramref name="name"/> whose labels include every one given; 0 when absent.</summary>
    private static double Value(string exposition, string name, params string[] labels)
    {
        var total = 0.0;
        var found = false;
        foreach (var line in exposition.Split('\n'))
        {
            var match = Series().Match(line);
            if (!match.Success || match.Groups["name"].Value != name) continue;
            var labelText = match.Groups["labels"].Value;
            if (!labels.All(l => labelText.Contains(l, StringComparison.Ordinal))) continue;
            total += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            found = true;
        }
        return found ? total : 0;
    }

    /// <summary>
    /// Completes once ASP.NET Core's hosting layer has timed <paramref name="expected"/> requests
    /// to <paramref name="route"/>. It times a request after the response is complete, and the
    /// test server hands the client its response at that point, so a scrape sent right after a
    /// response can come before that response's duration is recorded. The listener is added
    /// after the API's exporter, so it hears of each measurement after the exporter has taken it.
    /// </summary>
    private sealed class RouteTimings : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public RouteTimings(string route, int expected)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "http.route" && route.Equals(tag.Value as string, StringComparison.Ordinal)
                        && Interlocked.Increment(ref _seen) == expected)
                        _done.TrySetResult();
                }
            });
            _listener.Start();
        }

        /// <summary>Bounded: a duration that is never recorded fails the test rather than hanging it.</summary>
        public Task Recorded => _done.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Dispose() => _listener.Dispose();
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eEInfNa]+)")]
    private static partial Regex Series();

    [Fact]
    public async Task Metrics_count_logins_refreshes_failures_reuse_and_revocations()
    {
        using var http = _api.CreateClient();
        using var logins = new RouteTimings("/api/users/login", expected: 5);
        var admin = await PostAsync(http, "/api/users/login", null, new { username = "admin", password = TestSettings.AdminPassword }, HttpStatusCode.OK);
        var adminAccess = admin.GetProperty("accessToken").GetString()!;
        await PostAsync(http, "/api/users", adminAccess, new { username = "metrics-alice", password = "Metrics-Alice-Pass-1" }, HttpStatusCode.Created);

        // A failed login, a refused body, a refresh with rotation off.
        await PostAsync(http, "/api/users/login", null, new { username = "metrics-alice", password = "Wrong-Pass-0000" }, HttpStatusCode.Unauthorized);
        await PostAsync(http, "/api/users/login", null, new { username = "metrics-alice" }, HttpStatusCode.BadRequest);
        var alice = await PostAsync(http, "/api/users/login", null, new { username = "metrics-alice", password = "Metrics-Alice-Pass-1" }, HttpStatusCode.OK);
        await PostAsync(http, "/api/users/refresh", alice.GetProperty("refreshToken").GetString(), null, HttpStatusCode.OK);
        // An access token where a refresh token belongs: refused before the endpoint runs.
        await PostAsync(http, "/api/users/refresh", alice.GetProperty("accessToken").GetString(), null, HttpStatusCode.Unauthorized);

        // Rotation on: r0 -> r1 -> r2, then r0 again is a reuse: the session is revoked.
        await PostAsync(http, "/api/tenants/default", adminAccess, new { refreshTokenRotation = true }, HttpStatusCode.OK);
        var bob = await PostAsync(http, "/api/users/login", null, new { username = "metrics-alice", password = "Metrics-Alice-Pass-1" }, HttpStatusCode.OK);
        var r0 = bob.GetProperty("refreshToken").GetString();
        var r1 = (await PostAsync(http, "/api/users/refresh", r0, null, HttpStatusCode.OK)).GetProperty("refreshToken").GetString();
        await PostAsync(http, "/api/users/refresh", r1, null, HttpStatusCode.OK);
        await HttpAssert.Problem(await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/users/refresh")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", r0) },
        }), HttpStatusCode.Unauthorized, "Token has been revoked");

        await logins.Recorded;
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var api = await response.Content.ReadAsStringAsync();

        Assert.Equal(3, Value(api, "itempath_logins_total", "outcome=\"succeeded\""));
        Assert.Equal(1, Value(api, "itempath_logins_total", "outcome=\"bad_credentials\""));
        Assert.Equal(1, Value(api, "itempath_logins_total", "outcome=\"invalid_request\""));
        Assert.Equal(1, Value(api, "itempath_refreshes_total", "outcome=\"succeeded\""));
        Assert.Equal(2, Value(api, "itempath_refreshes_total", "outcome=\"rotated\""));
        Assert.Equal(2, Value(api, "itempath_refreshes_total", "outcome=\"failed\""));
        Assert.Equal(1, Value(api, "itempath_auth_failures_total", "operation=\"Login\"", "reason=\"bad_credentials\""));
        Assert.Equal(1, Value(api, "itempath_auth_failures_total", "operation=\"Refresh\"", "reason=\"wrong_token_type\""));
        Assert.Equal(1, Value(api, "itempath_auth_failures_total", "operation=\"Refresh\"", "reason=\"token_revoked\""));
        // Latency per endpoint, by route template.
        Assert.Equal(3 + 2, Value(api, "http_server_request_duration_seconds_count", "http_route=\"/api/users/login\"", "http_response_status_code=\"200\"")
            + Value(api, "http_server_request_duration_seconds_count", "http_route=\"/api/users/login\"", "http_response_status_code=\"4"));
        Assert.True(Value(api, "http_server_request_duration_seconds_bucket", "http_route=\"/api/users/refresh\"") > 0);

        var silo = await new HttpClient().GetStringAsync($"http://127.0.0.1:{_siloMetricsPort}/metrics");
        Assert.Equal(1, Value(silo, "itempath_refresh_reuse_detections_total"));
        Assert.Equal(1, Value(silo, "itempath_sessions_revoked_total", "reason=\"refresh_token_reuse\""));
        Assert.Equal(3, Value(silo, "itempath_sessions_opened_total", "kind=\"login\""));
        // Three logins, one session revoked: two active sessions in the user grains in memory.
        Assert.Equal(2, Value(silo, "itempath_sessions_active"));
        // Orleans' own meter: grain calls.
        Assert.Contains("orleans_", silo);

        // Nothing that names a tenant's user or carries a token or a password.
        foreach (var text in new[] { api, silo })
        {
            Assert.DoesNotContain("metrics-alice", text);
            Assert.DoesNotContain("Metrics-Alice-Pass-1", text);
            Assert.DoesNotContain("eyJ", text);
        }
    }

    [Fact]
    public async Task An_authenticated_request_is_timed_by_route_and_feeds_no_other_per_request_series()
    {
        using var http = _api.CreateClient();
        var admin = await PostAsync(http, "/api/users/login", null, new { username = "admin", password = TestSettings.AdminPassword }, HttpStatusCode.OK);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin.GetProperty("accessToken").GetString());
        using var timed = new RouteTimings("/api/users/me", expected: 1);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(me)).StatusCode);

        await timed.Recorded;
        var api = await http.GetStringAsync("/metrics");
        Assert.Equal(1, Value(api, "http_server_request_duration_seconds_count", "http_route=\"/api/users/me\"", "http_response_status_code=\"200\""));
        // ASP.NET Core's routing, authentication and authorization meters (and Kestrel's memory
        // pool) record on every request and are not served: what an operator reads per request is
        // the duration above and the itempath_* counters.
        Assert.DoesNotContain("aspnetcore_routing_", api);
        Assert.DoesNotContain("aspnetcore_authentication_", api);
        Assert.DoesNotContain("aspnetcore_authorization_", api);
        Assert.DoesNotContain("aspnetcore_memory_pool_", api);
    }

    [Fact]
    public async Task A_lock_is_counted_by_the_silo_and_its_refusals_by_the_API()
    {
        using var http = _api.CreateClient();
        // The default lockout threshold: 5 failures lock the pair; the 6th attempt is refused.
        for (var i = 0; i < 5; i++)
            await PostAsync(http, "/api/users/login", null, new { username = "metrics-nobody", password = $"Wrong-{i}" }, HttpStatusCode.Unauthorized);
        await PostAsync(http, "/api/users/login", null, new { username = "metrics-nobody", password = "Wrong-5" }, HttpStatusCode.TooManyRequests);

        var api = await http.GetStringAsync("/metrics");
        Assert.Equal(5, Value(api, "itempath_logins_total", "outcome=\"bad_credentials\""));
        Assert.Equal(1, Value(api, "itempath_logins_total", "outcome=\"locked_out\""));
        var silo = await new HttpClient().GetStringAsync($"http://127.0.0.1:{_siloMetricsPort}/metrics");
        Assert.Equal(1, Value(silo, "itempath_lockouts_total", "user=\"unknown\""));
    }

    [Fact]
    public async Task Metrics_are_refused_beyond_loopback_and_the_configured_addresses()
    {
        await using var outside = FromAddress("203.0.113.7");
        using var http = outside.CreateClient();
        await HttpAssert.Problem(await http.GetAsync("/metrics"), HttpStatusCode.Forbidden, "Metrics are not served to this address");

        await using var allowed = FromAddress("203.0.113.7", new Dictionary<string, string?> { ["Observability:Metrics:AllowedAddresses:0"] = "203.0.113.0/24" });
        using var scraper = allowed.CreateClient();
        var response = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await using var neighbour = FromAddress("203.0.114.7", new Dictionary<string, string?> { ["Observability:Metrics:AllowedAddresses:0"] = "203.0.113.0/24" });
        using var other = neighbour.CreateClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/metrics")).StatusCode);
    }
}
