using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Api.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>Proxy mode: configured routes reach the upstream double only with a valid token, and with the gateway's identity headers.</summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class ProxyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static string Access(System.Text.Json.JsonElement login) => login.GetProperty("accessToken").GetString()!;

    /// <summary>The requests the double received with this marker in their query.</summary>
    private UpstreamDouble.Received[] Arrived(string marker) => fixture.Upstream.Requests.Where(r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal)).ToArray();

    private static string Marker() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_valid_token_reaches_the_upstream_with_the_identity_headers_and_the_path()
    {
        var login = await fixture.NewUserAsync("px-ok");
        var marker = Marker();
        using var http = GatewayFixture.Client(fixture.GatewayApi, Access(login));
        var response = await http.GetAsync($"/api/stations/12/bins?m={marker}");
        var body = await HttpAssert.Ok(response);
        Assert.True(body.GetProperty("upstream").GetBoolean());

        var seen = Assert.Single(Arrived(marker));
        Assert.Equal("GET", seen.Method);
        Assert.Equal($"/api/stations/12/bins?m={marker}", seen.PathAndQuery);
        Assert.Equal(["default"], seen.Values("X-Auth-Tenant"));
        Assert.Equal([login.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)], seen.Values("X-Auth-User-Id"));
        Assert.Equal([login.GetProperty("username").GetString()!], seen.Values("X-Auth-Username"));
        Assert.Equal(["access"], seen.Values("X-Auth-Type"));
        Assert.Equal(["false"], seen.Values("X-Auth-Is-Admin"));
        Assert.Equal([JwtClaims.Claim(Access(login), "sid")], seen.Values("X-Auth-Session-Id"));
        // The client's token stays at the gateway unless configured otherwise.
        Assert.Empty(seen.Values("Authorization"));
    }

    [Fact]
    public async Task Spoofed_X_Auth_headers_in_any_casing_never_reach_the_upstream()
    {
        var login = await fixture.NewUserAsync("px-spoof");
        var marker = Marker();
        using var http = GatewayFixture.Client(fixture.GatewayApi, Access(login));
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orders?m={marker}") { Content = JsonContent.Create(new { item = "bolt", qty = 3 }) };
        request.Headers.TryAddWithoutValidation("X-Auth-User-Id", "1");
        request.Headers.TryAddWithoutValidation("x-auth-tenant", "evil");
        request.Headers.TryAddWithoutValidation("X-AUTH-IS-ADMIN", "true");
        request.Headers.TryAddWithoutValidation("x-AuTh-Username", "admin");
        request.Headers.TryAddWithoutValidation("X-Auth-Roles", "operator");
        request.Content.Headers.TryAddWithoutValidation("X-Auth-Type", "application");
        var response = await http.SendAsync(request);
        await HttpAssert.Ok(response);

        var seen = Assert.Single(Arrived(marker));
        Assert.Equal("POST", seen.Method);
        Assert.Contains("\"bolt\"", seen.Body);
        Assert.Equal(["default"], seen.Values("X-Auth-Tenant"));
        Assert.Equal([login.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)], seen.Values("X-Auth-User-Id"));
        Assert.Equal(["false"], seen.Values("X-Auth-Is-Admin"));
        Assert.Equal([login.GetProperty("username").GetString()!], seen.Values("X-Auth-Username"));
        Assert.Equal(["access"], seen.Values("X-Auth-Type"));
        Assert.Empty(seen.Values("X-Auth-Roles"));
        Assert.Equal(6, seen.Headers.Count(h => h.Key.StartsWith("X-Auth-", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>
    /// A header name as stacks behind a proxy read it: CGI and nginx fold <c>X_Auth_User</c> and
    /// <c>X-Auth-User</c> into one <c>HTTP_X_AUTH_USER</c>; some fold every non-alphanumeric character.
    /// </summary>
    private static string Folded(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());

    /// <summary>Every header that arrived (as Kestrel enumerates them: the wire spelling) whose folded name is one of <paramref name="folded"/> or starts with one ending in '-'.</summary>
    private static KeyValuePair<string, string[]>[] FoldingOnto(UpstreamDouble.Received seen, params string[] folded) =>
        seen.Headers.Where(h => folded.Any(f => f.EndsWith('-') ? Folded(h.Key).StartsWith(f, StringComparison.Ordinal) : Folded(h.Key) == f)).ToArray();

    [Fact]
    public async Task Identity_headers_spelled_with_underscores_or_other_separators_never_reach_the_upstream()
    {
        var login = await fixture.NewUserAsync("px-fold");
        var marker = Marker();
        using var http = GatewayFixture.Client(fixture.GatewayApi, Access(login));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/stations/3?m={marker}");
        foreach (var name in new[] { "X_Auth_User_Id", "x_auth_tenant", "X-AUTH_IS-ADMIN", "X_Auth_Username", "x-auth_type", "X.Auth.Session.Id", "X_Auth_User", "X~Auth~Roles", "X_AUTH_CLIENT_ID" })
            request.Headers.TryAddWithoutValidation(name, "spoofed");
        // A header of the client's own with underscores arrives, spelled as sent: the names seen are the wire's.
        request.Headers.TryAddWithoutValidation("X_Client_Note", marker);
        await HttpAssert.Ok(await http.SendAsync(request));

        var seen = Assert.Single(Arrived(marker));
        Assert.Equal([marker], Assert.Single(seen.Headers, h => h.Key == "X_Client_Note").Value);
        var identity = FoldingOnto(seen, "x-auth-");
        Assert.Equal(["X-Auth-Is-Admin", "X-Auth-Session-Id", "X-Auth-Tenant", "X-Auth-Type", "X-Auth-User-Id", "X-Auth-Username"], identity.Select(h => h.Key).Order(StringComparer.Ordinal));
        Assert.All(identity, h => Assert.NotEqual("spoofed", Assert.Single(h.Value)));
        Assert.Equal(["default"], seen.Values("X-Auth-Tenant"));
        Assert.Equal(["false"], seen.Values("X-Auth-Is-Admin"));
    }

    [Fact]
    public async Task Client_sent_address_and_forwarding_headers_in_any_spelling_are_replaced_by_the_connections()
    {
        await using var node = fixture.Node(GatewayFixture.GatewaySettings(fixture.Upstream.Url))
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RemoteAddressFilter("198.51.100.7"))));
        var login = await fixture.NewUserAsync("px-addr");
        var marker = Marker();
        using var http = GatewayFixture.Client(node, Access(login));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/5?m={marker}");
        foreach (var (name, value) in new[]
        {
            ("X-Real-IP", "203.0.113.66"), ("X_Real_IP", "203.0.113.66"), ("x_real-ip", "203.0.113.66"),
            ("X-Forwarded-For", "203.0.113.66"), ("X_Forwarded_For", "203.0.113.66"),
            ("X-Forwarded-Host", "evil.example"), ("x_forwarded_host", "evil.example"),
            ("X-Forwarded-Proto", "https"), ("X_FORWARDED_PROTO", "https"), ("X-Forwarded-Prefix", "/evil"),
            ("X-Forwarded-Port", "443"), ("X-Forwarded-User", "admin"), ("Forwarded", "for=203.0.113.66;proto=https;host=evil.example"),
            ("True-Client-IP", "203.0.113.66"), ("X_Client_IP", "203.0.113.66"), ("CF-Connecting-IP", "203.0.113.66"),
            ("X-Cluster-Client-Ip", "203.0.113.66"), ("Fastly-Client-IP", "203.0.113.66"), ("X-Original-Forwarded-For", "203.0.113.66"),
        })
            request.Headers.TryAddWithoutValidation(name, value);
        await HttpAssert.Ok(await http.SendAsync(request));

        var seen = Assert.Single(Arrived(marker));
        var forwarding = FoldingOnto(seen, "x-real-ip", "x-forwarded-", "forwarded");
        Assert.Equal(["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"], forwarding.Select(h => h.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["198.51.100.7"], seen.Values("X-Real-IP"));
        Assert.Equal(["198.51.100.7"], seen.Values("X-Forwarded-For"));
        Assert.Equal(["http"], seen.Values("X-Forwarded-Proto"));
        Assert.Equal(["localhost"], seen.Values("X-Forwarded-Host"));
        Assert.DoesNotContain(seen.Headers.SelectMany(h => h.Value), v => v.Contains("203.0.113.66", StringComparison.Ordinal) || v.Contains("evil", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_upstream_sees_the_client_address_and_scheme_the_proxy_reported()
    {
        var settings = GatewayFixture.GatewaySettings(fixture.Upstream.Url);
        settings["Tenancy:TrustedProxies:0"] = "127.0.0.1";
        await using var node = fixture.Node(settings)
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RemoteAddressFilter("127.0.0.1"))));
        var login = await fixture.NewUserAsync("px-trusted");
        var marker = Marker();
        using var http = GatewayFixture.Client(node, Access(login));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/6?m={marker}");
        // The proxy appended the client it saw; the client's own X-Real-IP rode along.
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "192.0.2.44, 203.0.113.9");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X_Real_IP", "192.0.2.44");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "192.0.2.44");
        await HttpAssert.Ok(await http.SendAsync(request));

        var seen = Assert.Single(Arrived(marker));
        Assert.Equal(["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"],
            FoldingOnto(seen, "x-real-ip", "x-forwarded-", "forwarded").Select(h => h.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["203.0.113.9"], seen.Values("X-Real-IP"));
        Assert.Equal(["203.0.113.9"], seen.Values("X-Forwarded-For"));
        Assert.Equal(["https"], seen.Values("X-Forwarded-Proto"));
    }

    [Fact]
    public async Task The_Authorization_header_goes_upstream_only_when_configured()
    {
        await using var node = fixture.Node(GatewayFixture.GatewaySettings(fixture.Upstream.Url, forwardAuthorization: true));
        var login = await fixture.NewUserAsync("px-fwd");
        var marker = Marker();
        using var http = GatewayFixture.Client(node, Access(login));
        await HttpAssert.Ok(await http.GetAsync($"/api/stations?m={marker}"));
        var seen = Assert.Single(Arrived(marker));
        Assert.Equal([$"Bearer {Access(login)}"], seen.Values("Authorization"));
    }

    [Fact]
    public async Task A_revoked_token_never_reaches_the_upstream()
    {
        var login = await fixture.NewUserAsync("px-revoked");
        using var http = GatewayFixture.Client(fixture.GatewayApi, Access(login));
        var before = Marker();
        await HttpAssert.Ok(await http.GetAsync($"/api/stations/1?m={before}"));
        Assert.Single(Arrived(before));

        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/api/users/logout", null)).StatusCode);
        var after = Marker();
        await HttpAssert.InvalidToken(await http.GetAsync($"/api/stations/1?m={after}"), "Token has been revoked");
        await HttpAssert.InvalidToken(await http.PostAsync($"/api/orders?m={after}", JsonContent.Create(new { item = "x" })), "Token has been revoked");
        Assert.Empty(Arrived(after));
    }

    [Fact]
    public async Task Missing_refresh_and_forged_tokens_never_reach_the_upstream()
    {
        var login = await fixture.NewUserAsync("px-bad");
        var marker = Marker();
        using (var none = GatewayFixture.Client(fixture.GatewayApi))
            await HttpAssert.Problem(await none.GetAsync($"/api/stations?m={marker}"), HttpStatusCode.Unauthorized, "Missing Authorization Header");
        using (var refresh = GatewayFixture.Client(fixture.GatewayApi, login.GetProperty("refreshToken").GetString()))
            await HttpAssert.InvalidToken(await refresh.GetAsync($"/api/stations?m={marker}"), "Only non-refresh tokens are allowed");
        var parts = Access(login).Split('.');
        using (var forged = GatewayFixture.Client(fixture.GatewayApi, $"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA"))
            await HttpAssert.InvalidToken(await forged.GetAsync($"/api/stations?m={marker}"), "Signature verification failed");
        Assert.Empty(Arrived(marker));
    }

    [Fact]
    public async Task An_application_token_is_accepted_and_named()
    {
        var robot = await fixture.NewUserAsync("px-robot", type: "application");
        using var refresh = GatewayFixture.Client(fixture.Api, robot.GetProperty("refreshToken").GetString());
        var app = await HttpAssert.Ok(await refresh.PostAsync("/api/users/application-token", null));
        var marker = Marker();
        using var http = GatewayFixture.Client(fixture.GatewayApi, app.GetProperty("token").GetString());
        await HttpAssert.Ok(await http.GetAsync($"/api/orders/7?m={marker}"));
        Assert.Equal(["application"], Assert.Single(Arrived(marker)).Values("X-Auth-Type"));
    }

    [Fact]
    public async Task An_upstream_that_is_down_gives_a_502_problem_never_a_500()
    {
        await using var node = fixture.Node(GatewayFixture.GatewaySettings(UpstreamDouble.Nowhere()));
        var login = await fixture.NewUserAsync("px-down");
        using var http = GatewayFixture.Client(node, Access(login));
        var response = await http.GetAsync("/api/stations/1");
        await HttpAssert.Problem(response, HttpStatusCode.BadGateway, "The upstream service is unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>
    /// The gateway's own timeout is for an upstream that goes silent; an answer that keeps coming
    /// (a download, a stream of events) may take longer than the API's request timeout, which is
    /// for the cluster's own endpoints (<c>Orleans:ResponseTimeoutSeconds</c> + 5 s). Which
    /// requests carry that deadline is read from the request itself as its answer starts
    /// (<see cref="IHttpRequestTimeoutFeature"/>), so no test waits for it to pass.
    /// </summary>
    [Fact]
    public async Task Proxied_answers_are_not_under_the_APIs_request_timeout_and_the_clusters_own_endpoints_are()
    {
        var deadlines = new ConcurrentDictionary<string, bool>();
        await using var node = fixture.Node(GatewayFixture.GatewaySettings(fixture.Upstream.Url));
        await using var observed = node.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddSingleton<IStartupFilter>(new DeadlineObserver(deadlines))));
        var login = await fixture.NewUserAsync("px-deadline");
        using var http = GatewayFixture.Client(observed, Access(login));

        await HttpAssert.Ok(await http.GetAsync($"/api/stations/feed?m={Marker()}"));
        await HttpAssert.Ok(await http.GetAsync("/api/users/me"));

        Assert.False(deadlines["/api/stations/feed"]);
        Assert.True(deadlines["/api/users/me"]);
    }

    /// <summary>Records, as each answer starts, whether its request runs under a request timeout.</summary>
    private sealed class DeadlineObserver(ConcurrentDictionary<string, bool> deadlines) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Response.OnStarting(() =>
                {
                    deadlines[context.Request.Path.Value!] = context.Features.Get<IHttpRequestTimeoutFeature>() is not null;
                    return Task.CompletedTask;
                });
                return following(context);
            });
            next(app);
        };
    }

    [Fact]
    public async Task When_the_session_check_cannot_be_answered_verify_and_the_proxy_answer_503_and_nothing_is_forwarded()
    {
        var login = await fixture.NewUserAsync("px-503");
        // A node whose user grain calls time out, as when the cluster does not answer.
        var failing = DispatchProxy.Create<IGrainFactory, GrainCallCounter.Decorator>();
        ((GrainCallCounter.Decorator)(object)failing).Init(fixture.Cluster.Client, result =>
        {
            if (result is not IUserGrain user) return result;
            var proxy = DispatchProxy.Create<IUserGrain, GrainCallCounter.Decorator>();
            ((GrainCallCounter.Decorator)(object)proxy).Init(user, r => r, (method, _) =>
            {
                if (method.Name == nameof(IUserGrain.CheckSession)) throw new TimeoutException("no answer");
            });
            return proxy;
        });
        await using var node = fixture.Node(GatewayFixture.GatewaySettings(fixture.Upstream.Url))
            .WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IGrainFactory>(failing)));
        using var http = GatewayFixture.Client(node, Access(login));
        var marker = Marker();

        var verify = await http.GetAsync("/api/auth/verify");
        await HttpAssert.Problem(verify, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(verify.Headers.RetryAfter);
        Assert.False(verify.Headers.Contains("X-Auth-User-Id"));
        await HttpAssert.Problem(await http.GetAsync($"/api/stations/1?m={marker}"), HttpStatusCode.ServiceUnavailable);
        Assert.Empty(Arrived(marker));
    }

    [Fact]
    public async Task Unconfigured_routes_stay_404_problems()
    {
        var login = await fixture.NewUserAsync("px-404");
        var marker = Marker();
        using (var http = GatewayFixture.Client(fixture.GatewayApi, Access(login)))
        {
            await HttpAssert.Problem(await http.GetAsync($"/api/warehouses/1?m={marker}"), HttpStatusCode.NotFound);
            await HttpAssert.Problem(await http.GetAsync($"/api/stationsx?m={marker}"), HttpStatusCode.NotFound);
        }
        // Without the gateway, the configured paths are unknown too.
        using (var plain = GatewayFixture.Client(fixture.Api, Access(login)))
            await HttpAssert.Problem(await plain.GetAsync($"/api/stations/1?m={marker}"), HttpStatusCode.NotFound);
        Assert.Empty(Arrived(marker));
    }

    [Fact]
    public async Task A_body_over_the_gateway_limit_is_413_and_never_forwarded()
    {
        var login = await fixture.NewUserAsync("px-big");
        var marker = Marker();
        using var http = GatewayFixture.Client(fixture.GatewayApi, Access(login));
        // Over the 16 KiB of the cluster's own endpoints, within the gateway's 1 MiB.
        await HttpAssert.Ok(await http.PostAsync($"/api/orders?m={marker}", new StringContent(new string('a', 64 * 1024))));
        var big = Marker();
        await HttpAssert.Problem(await http.PostAsync($"/api/orders?m={big}", new ByteArrayContent(new byte[1024 * 1024 + 1])), HttpStatusCode.RequestEntityTooLarge);
        Assert.Single(Arrived(marker));
        Assert.Empty(Arrived(big));
    }

    [Theory]
    [InlineData("Gateway:Upstream", "ftp://127.0.0.1:1")]
    [InlineData("Gateway:Routes:0", "/stations/{**rest}")]
    [InlineData("Gateway:Routes:0", "/api/users/{**rest}")]
    [InlineData("Gateway:TimeoutSeconds", "0")]
    public void Invalid_gateway_settings_are_refused_at_start(string key, string value)
    {
        var settings = GatewayFixture.GatewaySettings(fixture.Upstream.Url);
        settings[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        // The same registration the API makes (validated on start).
        using var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddGateway(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<GatewayOptions>>().Value);
        Assert.Contains("Gateway options are invalid", error.Message);

        settings.Remove(key);
        settings[key] = GatewayFixture.GatewaySettings(fixture.Upstream.Url).GetValueOrDefault(key) ?? "30";
        using var valid = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddGateway(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        Assert.True(valid.GetRequiredService<IOptions<GatewayOptions>>().Value.Enabled);
    }
}
