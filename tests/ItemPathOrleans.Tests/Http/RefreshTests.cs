using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Http;

[Collection(ServiceCollection.Name)]
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
        Assert.Equal(TestTokens.Claim(refresh, "sid"), TestTokens.Claim(next, "sid"));
        Assert.Matches(@"^\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d$", body.GetProperty("accessExpiryDate").GetString());
        // Rotation is off by default: the client keeps its refresh token.
        Assert.False(body.TryGetProperty("refreshToken", out _));

        using var me = service.ClientWith(next);
        Assert.Equal(HttpStatusCode.OK, (await me.GetAsync("/api/users/me")).StatusCode);
        // The same refresh token keeps working.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/users/refresh", null)).StatusCode);
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
        Assert.True(long.Parse(TestTokens.Claim(next, "exp")) <= long.Parse(TestTokens.Claim(refresh, "exp")));
        Assert.Equal(30 * 24 * 3600, long.Parse(TestTokens.Claim(refresh, "exp")) - long.Parse(TestTokens.Claim(refresh, "iat")));
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
        Assert.Equal(body.GetProperty("id").GetString(), TestTokens.Claim(token, "jti"));
        Assert.Equal(body.GetProperty("id").GetString(), TestTokens.Claim(token, "sid"));
        Assert.DoesNotContain("\"exp\"", Cluster.UserGrainTests.Payload(token));

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
