using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.OAuth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ItemPathOrleans.Tests.Security;

/// <summary>
/// Usernames that no user can have, sent by clients to the service on PostgreSQL: a login gets
/// the unknown user's refusal (never a 503 that fakes an outage), with its decoy hash and its
/// per-address count; creation gets a 400 naming the rule; and no log line carries the name raw,
/// nor any database error.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class HostileUsernameTests(HostileUsernameTests.Service fixture) : IClassFixture<HostileUsernameTests.Service>
{
    private const string Password = "Long-enough-pw-1";
    private readonly LoggedService _service = fixture.Logged;
    private readonly HttpClient _http = fixture.Http;

    /// <summary>
    /// One service for the class: each test reads only the log lines and hashes that came after
    /// its own start, and uses names of its own.
    /// </summary>
    public sealed class Service : IAsyncLifetime
    {
        public LoggedService Logged { get; private set; } = null!;
        public HttpClient Http { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Logged = await LoggedService.StartAsync(
                clusterSettings: new Dictionary<string, string?> { ["Passwords:MemoryKib"] = "8192", ["Passwords:Iterations"] = "1" },
                connectionString: TestSettings.PostgresConnectionString);
            Http = Logged.Api.CreateClient();
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await Logged.DisposeAsync();
        }
    }

    /// <summary>C0 controls (NUL among them, which PostgreSQL refuses in text), DEL, C1 controls, separators and bidirectional formatting.</summary>
    public static TheoryData<string, string> NamesNoUserCanHave() => new()
    {
        { "NUL", "log-a\u0000b" },
        { "line feed", "log-a\nforged line" },
        { "carriage return", "log-a\rb" },
        { "tab", "log-a\tb" },
        { "bell", "log-\u0007x" },
        { "escape", "log-\u001b[31mred" },
        { "delete", "log-x\u007f" },
        { "next line (C1)", "log-\u0085x" },
        { "control sequence introducer (C1)", "log-x\u009b2J" },
        { "line separator", "log-a\u2028b" },
        { "right-to-left override", "log-\u202Enimda" },
    };

    private long HashesRun() => _service.Cluster.Silos.Sum(s => s.ServiceProvider.GetRequiredService<PasswordHashingPool>().HashesRun);

    [Theory]
    [MemberData(nameof(NamesNoUserCanHave))]
    public async Task A_login_with_a_name_no_user_can_have_gets_the_unknown_users_answer_and_reaches_no_log(string what, string username)
    {
        var unknown = await HttpAssert.Problem(await LoginAsync(ServiceFixture.UniqueName("log-nobody"), Password), HttpStatusCode.Unauthorized);
        var logged = _service.Lines.Count;
        var hashes = HashesRun();

        var response = await LoginAsync(username, Password);
        var body = await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, "Bad username or password");
        Assert.Equal(unknown.GetRawText(), body.GetRawText());
        Assert.Null(response.Headers.RetryAfter);

        var oauth = await _http.PostAsync("/oauth/token", new FormUrlEncodedContent(
            [new("grant_type", "password"), new("username", username), new("password", Password)]));
        await OAuthAssert.Error(oauth, HttpStatusCode.BadRequest, "invalid_grant", "Bad username or password");

        // The unknown user's timing: one (decoy) hash each.
        Assert.Equal(2, HashesRun() - hashes);
        AssertNothingLoggedOf(what, username["log-".Length..], logged);
    }

    [Fact]
    public async Task An_over_long_username_is_refused_naming_the_limit_and_reaches_no_log()
    {
        var logged = _service.Lines.Count;
        var username = "log-\u0000" + new string('x', 200);
        await HttpAssert.Problem(await LoginAsync(username, Password), HttpStatusCode.BadRequest, "username must be 1 to 128 characters");
        var oauth = await _http.PostAsync("/oauth/token", new FormUrlEncodedContent(
            [new("grant_type", "password"), new("username", username), new("password", Password)]));
        await OAuthAssert.Error(oauth, HttpStatusCode.BadRequest, "invalid_request", "username must be 1 to 128 characters");
        AssertNothingLoggedOf("an over-long name", username["log-".Length..], logged);
    }

    [Fact]
    public async Task A_login_with_a_name_no_user_can_have_spends_the_addresses_failed_logins()
    {
        await using var node = _service.Api.WithWebHostBuilder(b =>
        {
            b.UseSetting("RateLimit:FailedLoginsPerMinute", "2");
            b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RemoteAddressFilter("198.51.100.20")));
        });
        using var http = node.CreateClient();
        for (var i = 0; i < 2; i++)
            await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/login", new { username = $"log-\u0000{i}", password = Password }), HttpStatusCode.Unauthorized);
        var limited = await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword });
        await HttpAssert.Problem(limited, (HttpStatusCode)429);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task Creating_a_user_or_a_tenant_admin_with_a_name_no_user_can_have_is_400_naming_the_rule()
    {
        using var admin = await AdminAsync();
        var logged = _service.Lines.Count;
        foreach (var username in new[] { "log-a\u0000b", "log-a\nb", "log-\u0085x", "log-a\u2028b", "log-\u202Enimda" })
        {
            await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/users", new { username, password = Password }),
                HttpStatusCode.BadRequest, "username must not contain control characters, line separators or bidirectional formatting characters");
            await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/tenants", new { id = "log-tenant", adminUsername = username, adminPassword = Password }),
                HttpStatusCode.BadRequest, "adminUsername: username must not contain control characters, line separators or bidirectional formatting characters");
        }
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/users", new { username = new string('u', 129), password = Password }),
            HttpStatusCode.BadRequest, "username must be 1 to 128 characters");
        AssertNothingLoggedOf("creation", "a\u0000b", logged);
    }

    [Theory]
    [InlineData("username", "log-a%00b")]
    [InlineData("email", "log-a%00b")]
    [InlineData("username", "log-a%0Ab")]
    public async Task A_user_list_filter_with_a_control_character_is_400_not_a_database_error(string filter, string value)
    {
        using var admin = await AdminAsync();
        var logged = _service.Lines.Count;
        await HttpAssert.Problem(await admin.GetAsync($"/api/users?{filter}={value}"),
            HttpStatusCode.BadRequest, "username and email filters must be valid Unicode without control characters");
        AssertNothingLoggedOf("a list filter", Uri.UnescapeDataString(value), logged);
    }

    private Task<HttpResponseMessage> LoginAsync(string username, string password) =>
        _http.PostAsJsonAsync("/api/users/login", new { username, password });

    private async Task<HttpClient> AdminAsync()
    {
        var login = await HttpAssert.Ok(await LoginAsync("admin", TestSettings.AdminPassword));
        var http = _service.Api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
        return http;
    }

    /// <summary>No warning or error since line <paramref name="from"/>, and no line carrying the text raw (as sent, or as a grain key spells it).</summary>
    private void AssertNothingLoggedOf(string what, string raw, int from)
    {
        var lines = _service.Lines.Skip(from).ToList();
        // The watchdog reports the machine (a GC or scheduling stall under load), not the request.
        var troubles = lines.Where(l => l.Level >= LogLevel.Warning && !l.Category.StartsWith("Orleans.Runtime.Watchdog", StringComparison.Ordinal)).ToList();
        Assert.True(troubles.Count == 0, $"{what}: {troubles.Count} warnings or errors were logged, e.g.\n{Shorten(troubles.FirstOrDefault()?.ToString())}");
        var carrying = lines.Where(l => l.Text.Contains(raw, StringComparison.Ordinal) || l.Text.Contains(raw.ToLowerInvariant(), StringComparison.Ordinal)).ToList();
        Assert.True(carrying.Count == 0, $"{what}: {carrying.Count} log lines carry the text raw, e.g.\n{Shorten(carrying.FirstOrDefault()?.ToString())}");
    }

    private static string? Shorten(string? text) => text is null || text.Length <= 600 ? text : text[..600] + "...";
}
