using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ItemPathOrleans.Testing;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.Security;

namespace ItemPathOrleans.Tests.Authentication;

/// <summary>
/// Each request's token is validated by the scheme of its endpoint, once: a refresh, or a logout
/// with a refresh token, is not first validated as an access token. What an operator sees: the
/// API's log holds no failed validation for a request that succeeded, and a refused token is
/// reported by the scheme that refused it.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TokenSchemeLogTests : IAsyncLifetime
{
    private const string JwtBearerCategory = "Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler";

    private LoggedService _service = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _service = await LoggedService.StartAsync();
        _http = _service.Api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _service.DisposeAsync();
    }

    /// <summary>Sends one request and returns it with the JwtBearer log lines written while it ran.</summary>
    private async Task<(HttpResponseMessage Response, List<string> Lines)> SendAsync(HttpMethod method, string path, string token)
    {
        var before = _service.ApiLog.Lines.Count;
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await _http.SendAsync(request);
        var lines = _service.ApiLog.Lines.Skip(before).Where(l => l.Category == JwtBearerCategory).Select(l => l.Text).ToList();
        return (response, lines);
    }

    [Fact]
    public async Task A_refresh_token_is_validated_by_its_own_scheme_and_no_failure_is_logged_for_it()
    {
        var login = await HttpAssert.Ok(await _http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        var access = login.GetProperty("accessToken").GetString()!;
        var refresh = login.GetProperty("refreshToken").GetString()!;

        // An ordinary endpoint: the access scheme authenticates it.
        var (me, meLines) = await SendAsync(HttpMethod.Get, "/api/users/me", access);
        await HttpAssert.Ok(me);
        Assert.Contains(meLines, l => l.Contains("access was successfully authenticated", StringComparison.Ordinal));

        // A refresh: the refresh scheme alone, and nothing reports a failure.
        var (refreshed, refreshLines) = await SendAsync(HttpMethod.Post, "/api/users/refresh", refresh);
        await HttpAssert.Ok(refreshed);
        Assert.Contains(refreshLines, l => l.Contains("refresh was successfully authenticated", StringComparison.Ordinal));
        Assert.DoesNotContain(refreshLines, l => l.Contains("access was", StringComparison.Ordinal));
        Assert.DoesNotContain(refreshLines, l => l.Contains("not authenticated", StringComparison.Ordinal) || l.Contains("Failed to validate", StringComparison.Ordinal));

        // An access token on the refresh endpoint is refused, and the refresh scheme says why.
        var (refused, refusedLines) = await SendAsync(HttpMethod.Post, "/api/users/refresh", access);
        await HttpAssert.InvalidToken(refused, "Only refresh tokens are allowed");
        Assert.Contains(refusedLines, l => l.Contains("refresh was not authenticated", StringComparison.Ordinal) && l.Contains("Only refresh tokens are allowed", StringComparison.Ordinal));
        Assert.DoesNotContain(refusedLines, l => l.Contains("access was", StringComparison.Ordinal));

        // Logout takes either token: with the refresh token, the either-token scheme alone.
        var (logout, logoutLines) = await SendAsync(HttpMethod.Post, "/api/users/logout", refresh);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Contains(logoutLines, l => l.Contains("any was successfully authenticated", StringComparison.Ordinal));
        Assert.DoesNotContain(logoutLines, l => l.Contains("access was", StringComparison.Ordinal));
        Assert.DoesNotContain(logoutLines, l => l.Contains("not authenticated", StringComparison.Ordinal));

        // The session is over: the refresh scheme refuses its token.
        var (ended, _) = await SendAsync(HttpMethod.Post, "/api/users/refresh", refresh);
        await HttpAssert.InvalidToken(ended, "Token has been revoked");
    }
}
