using System.Net;
using ItemPathOrleans.Api.Cors;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>CORS for browser front ends: allowed origins get the headers, others and the default configuration get none.</summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class CorsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>, IAsyncLifetime
{
    private const string Allowed = "https://app.example.test";
    private const string Refused = "https://evil.example.test";
    private ApiFactory _node = null!;

    public Task InitializeAsync()
    {
        var settings = GatewayFixture.GatewaySettings(fixture.Upstream.Url);
        settings["Cors:AllowedOrigins:0"] = Allowed;
        settings["Cors:AllowedOrigins:1"] = "http://localhost:3000";
        _node = fixture.Node(settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static HttpRequestMessage Preflight(string path, string origin, string method, string? headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null) request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Theory]
    [InlineData("/api/users/login", "POST", "content-type")]
    [InlineData("/api/users/refresh", "POST", "authorization")]
    [InlineData("/api/users/application-token", "POST", "authorization,content-type")]
    [InlineData("/api/users/me", "GET", "authorization,x-tenant")]
    [InlineData("/api/auth/verify", "GET", "authorization")]
    [InlineData("/api/stations/4", "DELETE", "authorization")]
    public async Task A_preflight_from_an_allowed_origin_is_answered_with_what_it_asked(string path, string method, string headers)
    {
        using var http = _node.CreateClient();
        var response = await http.SendAsync(Preflight(path, Allowed, method, headers));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Header(response, "Access-Control-Allow-Methods")!.Split(','));
        foreach (var h in headers.Split(','))
            Assert.Contains(h, Header(response, "Access-Control-Allow-Headers")!.ToLowerInvariant().Split(','));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
        Assert.Equal("600", Header(response, "Access-Control-Max-Age"));
    }

    [Fact]
    public async Task A_preflight_from_a_refused_origin_gets_no_CORS_headers()
    {
        using var http = _node.CreateClient();
        var response = await http.SendAsync(Preflight("/api/users/login", Refused, "POST", "content-type"));
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task A_preflight_asking_for_an_unlisted_header_is_not_granted_it()
    {
        using var http = _node.CreateClient();
        var response = await http.SendAsync(Preflight("/api/users/me", Allowed, "GET", "authorization,x-auth-user-id"));
        // The browser sends the request only if every header it asked for is in the list.
        var granted = (Header(response, "Access-Control-Allow-Headers") ?? "").ToLowerInvariant().Split(',');
        Assert.DoesNotContain("x-auth-user-id", granted);
    }

    [Fact]
    public async Task Simple_requests_carry_the_origin_only_when_it_is_allowed_also_on_errors()
    {
        var login = await fixture.NewUserAsync("cors");
        using var http = _node.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());

        var allowed = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        allowed.Headers.Add("Origin", Allowed);
        var ok = await http.SendAsync(allowed);
        await HttpAssert.Ok(ok);
        Assert.Equal(Allowed, Header(ok, "Access-Control-Allow-Origin"));
        Assert.Contains("www-authenticate", Header(ok, "Access-Control-Expose-Headers")!.ToLowerInvariant());

        var refused = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        refused.Headers.Add("Origin", Refused);
        var plain = await http.SendAsync(refused);
        await HttpAssert.Ok(plain);
        Assert.Null(Header(plain, "Access-Control-Allow-Origin"));

        // A 401 from an allowed origin is readable by the page (it needs the msg and the challenge).
        using var anonymous = _node.CreateClient();
        var unauthorized = new HttpRequestMessage(HttpMethod.Get, "/api/users/me");
        unauthorized.Headers.Add("Origin", Allowed);
        var denied = await anonymous.SendAsync(unauthorized);
        await HttpAssert.Problem(denied, HttpStatusCode.Unauthorized);
        Assert.Equal(Allowed, Header(denied, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_configured_origins_there_are_no_CORS_headers()
    {
        using var http = fixture.Api.CreateClient();
        var preflight = await http.SendAsync(Preflight("/api/users/login", Allowed, "POST", "content-type"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        var simple = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        simple.Headers.Add("Origin", Allowed);
        var live = await http.SendAsync(simple);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Null(Header(live, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://app.example.test/")]
    [InlineData("app.example.test")]
    public void Invalid_origins_are_refused_at_start(string origin)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = origin }).Build();
        // The same registration the API makes (validated on start).
        using var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddBrowserCors(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<BrowserCorsOptions>>().Value);
        Assert.Contains("Cors options are invalid", error.Message);
    }
}
