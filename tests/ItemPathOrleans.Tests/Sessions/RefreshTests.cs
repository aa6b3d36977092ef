using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.OAuth;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ItemPathOrleans.Tests.Sessions;

[Collection(Infrastructure.ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class RefreshTests(ServiceFixture service)
{
    private async Task<(string Access, string Refresh)> LoginAsync(string type = "user")
    {
        var name = ServiceFixture.UniqueName("rf");
        await service.CreateUserAsync(name, "Long-enough-pw-1", type);
        var login = await service.LoginAsync(name, "Long-enough-pw-1");
        return (login.GetProperty("accessToken").GetString()!, login.GetProperty("refreshToken").GetString()!);
    }

    [Fact]
    public async Task Refresh_with_no_body_gives_a_new_access_token_of_the_same_session()
    {
        var (access, refresh) = await LoginAsync();
        using var http = service.ClientWith(refresh);
        var body = await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null));

        var next = body.GetProperty("accessToken").GetString()!;
        Assert.NotEqual(access, next);
        Assert.Equal(JwtClaims.Claim(refresh, "sid"), JwtClaims.Claim(next, "sid"));
        Assert.Matches(@"^\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d$", body.GetProperty("accessExpiryDate").GetString());
        // Rotation is off by default: the client keeps its refresh token.
        Assert.False(body.TryGetProperty("refreshToken", out _));

        using var me = service.ClientWith(next);
        Assert.Equal(HttpStatusCode.OK, (await me.GetAsync("/api/users/me")).StatusCode);
        // The same refresh token keeps working.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/users/refresh", null)).StatusCode);
    }

    /// <summary>
    /// The endpoints a refresh token opens make one user grain call, which decides the session's
    /// and the user's state itself: on a node that has not checked the session yet (a revocation
    /// cache miss), validation asks the grain nothing before it.
    /// </summary>
    [Theory]
    [InlineData("/api/users/refresh", nameof(IUserGrain.Refresh))]
    [InlineData("/oauth/token", nameof(IUserGrain.Refresh))]
    [InlineData("/api/users/application-token", nameof(IUserGrain.CreateApplicationToken))]
    public async Task A_refresh_token_request_on_a_node_that_never_saw_its_session_is_one_user_grain_call(string path, string method)
    {
        var (_, refresh) = await LoginAsync(method == nameof(IUserGrain.CreateApplicationToken) ? "application" : "user");
        var sid = JwtClaims.Claim(refresh, "sid");
        var counter = new GrainCallCounter();
        await using var node = service.Api.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.Replace(ServiceDescriptor.Singleton(counter.Wrap(service.Cluster.Client)))));
        using var http = node.CreateClient();

        using var response = path == "/oauth/token"
            ? await http.PostAsync(path, new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", refresh)]))
            : await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", refresh) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, counter.Count(nameof(IUserGrain.CheckSession), sid));
        Assert.Equal(1, counter.Count(method, sid));
        Assert.Equal(1, counter.Total);
    }

    /// <summary>The user grain's refusal, not the revocation cache's, is what a refresh token's endpoints answer: the same messages.</summary>
    [Fact]
    public async Task A_deactivated_users_refresh_token_is_refused_as_user_not_active_by_every_endpoint_it_opens()
    {
        var name = ServiceFixture.UniqueName("rf");
        var id = (await service.CreateUserAsync(name, "Long-enough-pw-1", "application")).GetProperty("id").GetInt32();
        var refresh = (await service.LoginAsync(name, "Long-enough-pw-1")).GetProperty("refreshToken").GetString()!;
        using (var admin = service.ClientWith((await service.AdminLoginAsync()).GetProperty("accessToken").GetString()!))
            await HttpAssert.Ok(await admin.PatchAsync($"/api/users/{id}", JsonContent.Create(new { status = 2 })));

        using var http = service.ClientWith(refresh);
        await HttpAssert.InvalidToken(await http.PostAsync("/api/users/refresh", null), "User is not active");
        await HttpAssert.InvalidToken(await http.PostAsync("/api/users/application-token", null), "User is not active");
        using var anon = service.Client();
        await OAuthAssert.Error(await anon.PostAsync("/oauth/token", new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", refresh)])),
            HttpStatusCode.BadRequest, "invalid_grant", "User is not active");
    }

    /// <summary>Logout takes either token and still checks the session first: a refresh token of an ended session is refused.</summary>
    [Fact]
    public async Task Logout_with_the_refresh_token_of_an_ended_session_is_refused()
    {
        var (access, refresh) = await LoginAsync();
        using (var first = service.ClientWith(access))
            Assert.Equal(HttpStatusCode.NoContent, (await first.PostAsync("/api/users/logout", null)).StatusCode);

        using var again = service.ClientWith(refresh);
        await HttpAssert.InvalidToken(await again.PostAsync("/api/users/logout", null), "Token has been revoked");
    }

    [Fact]
    public async Task Refresh_with_an_access_token_is_refused()
    {
        var (access, _) = await LoginAsync();
        using var http = service.ClientWith(access);
        await HttpAssert.InvalidToken(await http.PostAsync("/api/users/refresh", null), "Only refresh tokens are allowed");
    }

    [Fact]
    public async Task Refresh_without_a_token_is_401()
    {
        using var http = service.Client();
        await HttpAssert.Problem(await http.PostAsync("/api/users/refresh", null), HttpStatusCode.Unauthorized, "Missing Authorization Header");
    }

    [Fact]
    public async Task A_refresh_never_extends_the_session()
    {
        var (_, refresh) = await LoginAsync();
        using var http = service.ClientWith(refresh);
        var next = (await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null))).GetProperty("accessToken").GetString()!;
        Assert.True(long.Parse(JwtClaims.Claim(next, "exp")) <= long.Parse(JwtClaims.Claim(refresh, "exp")));
        Assert.Equal(30 * 24 * 3600, long.Parse(JwtClaims.Claim(refresh, "exp")) - long.Parse(JwtClaims.Claim(refresh, "iat")));
    }

    [Fact]
    public async Task Application_user_gets_a_non_expiring_token_with_a_JSON_content_type_and_no_body()
    {
        var (_, refresh) = await LoginAsync("application");
        using var http = service.ClientWith(refresh);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/users/application-token")
        {
            Content = new ByteArrayContent([]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var body = await HttpAssert.Ok(await http.SendAsync(request));

        var token = body.GetProperty("token").GetString()!;
        Assert.Equal(body.GetProperty("id").GetString(), JwtClaims.Claim(token, "jti"));
        Assert.Equal(body.GetProperty("id").GetString(), JwtClaims.Claim(token, "sid"));
        Assert.DoesNotContain("\"exp\"", JwtClaims.Payload(token));

        using var app = service.ClientWith(token);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/api/users/me")).StatusCode);
        // It is an access token, never a refresh token.
        await HttpAssert.InvalidToken(await app.PostAsync("/api/users/refresh", null), "Only refresh tokens are allowed");
    }

    [Fact]
    public async Task Application_token_takes_an_optional_name()
    {
        var (_, refresh) = await LoginAsync("application");
        using var http = service.ClientWith(refresh);
        var body = await HttpAssert.Ok(await http.PostAsync("/api/users/application-token",
            new StringContent("""{"name": "nightly-sync"}""", Encoding.UTF8, "application/json")));
        Assert.Equal("nightly-sync", body.GetProperty("name").GetString());

        var tooLong = await http.PostAsync("/api/users/application-token",
            new StringContent($$"""{"name": "{{new string('n', 129)}}"}""", Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(tooLong, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_plain_user_asking_for_an_application_token_gets_403()
    {
        var (_, refresh) = await LoginAsync();
        using var http = service.ClientWith(refresh);
        await HttpAssert.Problem(await http.PostAsync("/api/users/application-token", null),
            HttpStatusCode.Forbidden, "Only application users can create application tokens");
    }

    [Fact]
    public async Task Application_token_needs_a_refresh_token()
    {
        var (access, _) = await LoginAsync("application");
        using var http = service.ClientWith(access);
        await HttpAssert.InvalidToken(await http.PostAsync("/api/users/application-token", null), "Only refresh tokens are allowed");
    }
}
