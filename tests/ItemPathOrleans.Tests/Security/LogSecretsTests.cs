using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Security;

/// <summary>
/// Every log line of the silos, the cluster client and the API, at every level, through a
/// realistic flow (logins, a lockout, refresh, an application token, password changes, logout,
/// bogus tokens): no password, token, token signature, master secret, signing key or password
/// hash is ever in a log, and the security events are.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class LogSecretsTests : IAsyncLifetime
{
    private const string SecurityEventsCategory = "ItemPathOrleans.Grains.Security.SecurityEvents";

    private LoggedService _service = null!;
    private HttpClient _http = null!;

    /// <summary>Everything that must never be logged, with what it is.</summary>
    private readonly List<(string What, string Value)> _secrets = [];

    public async Task InitializeAsync()
    {
        _service = await LoggedService.StartAsync(clusterSettings: new Dictionary<string, string?>
        {
            ["Passwords:MemoryKib"] = "8192",
            ["Passwords:Iterations"] = "1",
        });
        _http = _service.Api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _service.DisposeAsync();
    }

    private string Secret(string what, string value)
    {
        _secrets.Add((what, value));
        return value;
    }

    /// <summary>A token answered by the service: it, and its signature, are secrets.</summary>
    private string Token(string what, JsonElement answer, string property)
    {
        var token = answer.GetProperty(property).GetString()!;
        Secret(what, token);
        Secret(what + " (signature)", token.Split('.')[2]);
        return token;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> LoginAsync(string username, string password) =>
        SendAsync(HttpMethod.Post, "/api/users/login", body: new { username, password });

    private async Task<int> CreateUserAsync(string adminToken, string username, string password, string type = "user")
    {
        var created = await HttpAssert.Ok(await SendAsync(HttpMethod.Post, "/api/users", adminToken, new { username, password, type }), HttpStatusCode.Created);
        return created.GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task No_secret_reaches_any_log_and_the_security_events_do()
    {
        Secret("the master secret", TestSettings.MasterSecret);
        var signingKey = (await TestTokens.ForAsync(_service.Cluster.Client)).Secret;
        Secret("the derived signing key (base64)", Convert.ToBase64String(signingKey));
        Secret("the derived signing key (base64url)", Base64Url.EncodeToString(signingKey));
        Secret("the derived signing key (hex)", Convert.ToHexString(signingKey));
        Secret("the derived signing key (hex, lower case)", Convert.ToHexStringLower(signingKey));
        Secret("a stored Argon2 hash", "$argon2id$");

        // An admin logs in and creates users with known passwords.
        var admin = await HttpAssert.Ok(await LoginAsync("admin", Secret("the admin's password", TestSettings.AdminPassword)));
        var adminAccess = Token("the admin's access token", admin, "accessToken");
        Token("the admin's refresh token", admin, "refreshToken");
        await CreateUserAsync(adminAccess, "log-alice", Secret("alice's first password", "Alice-First-Pass-71"));
        var bobId = await CreateUserAsync(adminAccess, "log-bob", Secret("bob's first password", "Bob-First-Pass-7702"));
        await CreateUserAsync(adminAccess, "log-app", Secret("the application user's password", "App-User-Pass-99031"), "application");

        // Wrong passwords until bob is locked out: 5 refused, then 429.
        for (var i = 1; i <= 5; i++)
            await HttpAssert.Problem(await LoginAsync("log-bob", Secret($"wrong password {i}", $"Wrong-Guess-{i}-Qx7")), HttpStatusCode.Unauthorized, "Bad username or password");
        var locked = await LoginAsync("log-bob", Secret("the password tried while locked", "Bob-First-Pass-7702-locked"));
        await HttpAssert.Problem(locked, HttpStatusCode.TooManyRequests);
        // An unknown username, and a password typed into the username field by mistake.
        await HttpAssert.Problem(await LoginAsync("log-nobody", Secret("a password for an unknown user", "Unknown-User-Pass-5")), HttpStatusCode.Unauthorized);
        await HttpAssert.Problem(await LoginAsync(Secret("a password typed as a username", "Typed-In-The-Wrong-Field-8"), "x"), HttpStatusCode.Unauthorized);

        // Alice logs in, refreshes, changes her password (once wrongly), and logs out.
        var alice = await HttpAssert.Ok(await LoginAsync("log-alice", "Alice-First-Pass-71"));
        var aliceAccess = Token("alice's access token", alice, "accessToken");
        var aliceRefresh = Token("alice's refresh token", alice, "refreshToken");
        var refreshed = await HttpAssert.Ok(await SendAsync(HttpMethod.Post, "/api/users/refresh", aliceRefresh));
        var aliceAccess2 = Token("alice's refreshed access token", refreshed, "accessToken");
        await HttpAssert.Problem(await SendAsync(HttpMethod.Post, "/api/users/me/password", aliceAccess2,
            new { currentPassword = Secret("a wrong current password", "Not-Alices-Pass-33"), newPassword = Secret("a refused new password", "Alice-Refused-Pass-4") }),
            HttpStatusCode.Forbidden, "Current password is incorrect");
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Post, "/api/users/me/password", aliceAccess2,
            new { currentPassword = "Alice-First-Pass-71", newPassword = Secret("alice's second password", "Alice-Second-Pass-82") })).StatusCode);

        // The application user: login, application token, a call with it.
        var app = await HttpAssert.Ok(await LoginAsync("log-app", "App-User-Pass-99031"));
        Token("the application user's access token", app, "accessToken");
        var appRefresh = Token("the application user's refresh token", app, "refreshToken");
        var applicationToken = Token("the application token", await HttpAssert.Ok(
            await SendAsync(HttpMethod.Post, "/api/users/application-token", appRefresh, new { name = "log-test" })), "token");
        await HttpAssert.Ok(await SendAsync(HttpMethod.Get, "/api/users/me", applicationToken));
        // An application token may not change the password.
        await HttpAssert.Problem(await SendAsync(HttpMethod.Post, "/api/users/me/password", applicationToken,
            new { currentPassword = "App-User-Pass-99031", newPassword = Secret("a new password refused to an application token", "App-New-Pass-4410") }), HttpStatusCode.Forbidden);

        // The admin sets bob's password (which ends bob's sessions).
        await HttpAssert.Ok(await SendAsync(HttpMethod.Patch, $"/api/users/{bobId}", adminAccess, new { password = Secret("bob's password set by the admin", "Bob-Set-By-Admin-61") }));

        // Alice logs out; her tokens then fail, as do bogus ones.
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Post, "/api/users/logout", aliceAccess2)).StatusCode);
        await HttpAssert.InvalidToken(await SendAsync(HttpMethod.Get, "/api/users/me", aliceAccess2), "Token has been revoked");
        await HttpAssert.InvalidToken(await SendAsync(HttpMethod.Post, "/api/users/refresh", aliceRefresh), "Token has been revoked");
        await HttpAssert.InvalidToken(await SendAsync(HttpMethod.Get, "/api/users/me", aliceRefresh), "Only non-refresh tokens are allowed");
        await HttpAssert.InvalidToken(await SendAsync(HttpMethod.Post, "/api/users/refresh", adminAccess), "Only refresh tokens are allowed");
        var parts = aliceAccess.Split('.');
        var forged = Secret("a forged token's signature", Base64Url.EncodeToString(Encoding.UTF8.GetBytes("forged-signature-of-32-bytes!!!!")));
        await HttpAssert.InvalidToken(await SendAsync(HttpMethod.Get, "/api/users/me", $"{parts[0]}.{parts[1]}.{forged}"), "Signature verification failed");
        var bogus = Secret("a bogus bearer token", "bogus-bearer-token-" + Guid.NewGuid().ToString("N"));
        await HttpAssert.InvalidToken(await SendAsync(HttpMethod.Get, "/api/users/me", bogus), "Invalid token");

        var lines = _service.Lines;
        Assert.True(lines.Count > 100, $"only {lines.Count} log lines were captured: is the capture wired?");
        Assert.Contains(_service.ClusterLog.Lines, l => l.Category.StartsWith("Orleans", StringComparison.Ordinal) && l.Level == LogLevel.Trace);
        Assert.Contains(_service.ApiLog.Lines, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && l.Level <= LogLevel.Debug);

        var leaks = (from secret in _secrets
                     let found = lines.Where(l => l.Text.Contains(secret.Value, StringComparison.Ordinal) || l.Category.Contains(secret.Value, StringComparison.Ordinal)).ToList()
                     where found.Count > 0
                     select $"{secret.What}: {found.Count} lines, at {string.Join(", ", found.Select(l => l.Level).Distinct())}, from "
                         + string.Join(", ", found.Select(l => $"{l.Source}:{l.Category}").Distinct())
                         + $"\n    e.g. {Shorten(found[0].ToString())}").ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} of {_secrets.Count} secrets were logged ({lines.Count} lines captured):\n" + string.Join("\n", leaks));

        var events = _service.ClusterLog.Lines.Where(l => l.Category == SecurityEventsCategory).Select(l => l.Text).ToList();
        foreach (var name in new[] { "login_failed", "locked_out", "login_succeeded", "session_revoked", "application_token_created", "password_changed" })
            Assert.True(events.Any(e => e.Contains(name, StringComparison.Ordinal)), $"no {name} security event was logged; events:\n{string.Join("\n", events.Select(Shorten))}");
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "...";
}
