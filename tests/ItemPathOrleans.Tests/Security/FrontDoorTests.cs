using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Security;

/// <summary>Lockout and rate limits as an HTTP client sees them, and the admin's view of security events.</summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class FrontDoorTests(FrontDoorTests.Service service) : IClassFixture<FrontDoorTests.Service>
{
    private const string Password = "Long-enough-pw-1";
    private readonly InProcessTestCluster _cluster = service.Cluster;
    private readonly ApiFactory _api = service.Api;

    /// <summary>
    /// One cluster and API node for the class. Lockouts count per login name, so each test has
    /// names of its own; the limits per address live in the nodes a test makes for itself.
    /// </summary>
    public sealed class Service : IAsyncLifetime
    {
        public InProcessTestCluster Cluster { get; private set; } = null!;
        public ApiFactory Api { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await TestClusters.StartAsync(silos: 2);
            Api = new ApiFactory(Cluster.Client);
        }

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    private async Task<HttpClient> AdminAsync()
    {
        using var anon = _api.CreateClient();
        var login = await HttpAssert.Ok(await anon.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        var http = _api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
        return http;
    }

    private async Task<int> CreateAsync(string username)
    {
        using var admin = await AdminAsync();
        return (await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username, password = Password }), HttpStatusCode.Created)).GetProperty("id").GetInt32();
    }

    [Fact]
    public async Task A_locked_login_answers_429_with_Retry_After_and_the_login_shape()
    {
        await CreateAsync("door-lock");
        using var http = _api.CreateClient();
        for (var i = 0; i < 5; i++)
            await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/login", new { username = "door-lock", password = "Wrong-pw-" + i }), HttpStatusCode.Unauthorized);

        var response = await http.PostAsJsonAsync("/api/users/login", new { username = "door-lock", password = Password });
        var body = await HttpAssert.Problem(response, (HttpStatusCode)429, "Too many failed login attempts; retry later");
        Assert.False(body.GetProperty("login").GetBoolean());
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.RetryAfter?.Delta);

        // Unknown names answer alike.
        for (var i = 0; i < 5; i++) await http.PostAsJsonAsync("/api/users/login", new { username = "door-nobody", password = "Wrong-pw-" + i });
        var unknown = await http.PostAsJsonAsync("/api/users/login", new { username = "door-nobody", password = Password });
        Assert.Equal(body.GetRawText(), (await HttpAssert.Problem(unknown, (HttpStatusCode)429)).GetRawText());
    }

    [Fact]
    public async Task Failed_logins_are_limited_per_client_address_and_X_Forwarded_For_counts_only_from_trusted_proxies()
    {
        await using var node = _api.WithWebHostBuilder(b =>
        {
            b.UseSetting("RateLimit:FailedLoginsPerMinute", "3");
            b.UseSetting("Tenancy:TrustedProxies:0", "127.0.0.1");
            b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RemoteAddressFilter("127.0.0.1")));
        });
        using var http = node.CreateClient();
        Task<HttpResponseMessage> Login(string client, string username) =>
            http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/users/login")
            {
                Content = JsonContent.Create(new { username, password = "Wrong-pw-1" }),
                Headers = { { "X-Forwarded-For", client } },
            });

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await Login("203.0.113.1", $"rl-{i}")).StatusCode);
        var limited = await Login("203.0.113.1", "rl-x");
        await HttpAssert.Problem(limited, (HttpStatusCode)429);
        Assert.NotNull(limited.Headers.RetryAfter);
        // Another client behind the same proxy is not limited by the first one.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Login("203.0.113.2", "rl-y")).StatusCode);

        // Without a trusted proxy the header is ignored: a client cannot pick a new address.
        await using var direct = _api.WithWebHostBuilder(b =>
        {
            b.UseSetting("RateLimit:FailedLoginsPerMinute", "3");
            b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new RemoteAddressFilter("198.51.100.5")));
        });
        using var directHttp = direct.CreateClient();
        for (var i = 0; i < 4; i++)
        {
            var response = await directHttp.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/users/login")
            {
                Content = JsonContent.Create(new { username = $"rd-{i}", password = "Wrong-pw-1" }),
                Headers = { { "X-Forwarded-For", $"203.0.113.{100 + i}" } },
            });
            Assert.Equal(i < 3 ? HttpStatusCode.Unauthorized : (HttpStatusCode)429, response.StatusCode);
        }
    }

    /// <summary>Hashes run on every silo so far.</summary>
    private long HashesRun() => _cluster.Silos.Sum(s => s.ServiceProvider.GetRequiredService<PasswordHashingPool>().HashesRun);

    /// <summary>One node whose client address is <paramref name="address"/>, with a clock that stands still (one window).</summary>
    private WebApplicationFactory<Program> NodeWithFailedLoginLimit(int perMinute, string address) => _api.WithWebHostBuilder(b =>
    {
        b.UseSetting("RateLimit:FailedLoginsPerMinute", perMinute.ToString(CultureInfo.InvariantCulture));
        b.ConfigureTestServices(s =>
        {
            s.AddSingleton<IStartupFilter>(new RemoteAddressFilter(address));
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow)));
        });
    });

    [Fact]
    public async Task A_parallel_burst_of_wrong_passwords_from_one_address_checks_no_more_than_the_limit()
    {
        const int Limit = 10;
        await CreateAsync("door-burst");
        await using var node = NodeWithFailedLoginLimit(Limit, "198.51.100.64");
        using var http = node.CreateClient();

        // 64 at once through both front doors, for a user and for names nobody has.
        var before = HashesRun();
        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            var username = i % 4 == 0 ? "door-burst" : $"door-burst-nobody-{i}";
            using var response = i % 2 == 0
                ? await http.PostAsJsonAsync("/api/users/login", new { username, password = "Wrong-pw-" + i })
                : await http.PostAsync("/oauth/token", new FormUrlEncodedContent(
                    [new("grant_type", "password"), new("username", username), new("password", "Wrong-pw-" + i)]));
            var text = await response.Content.ReadAsStringAsync();
            return response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "checked",
                HttpStatusCode.BadRequest when text.Contains("Bad username or password", StringComparison.Ordinal) => "checked",
                (HttpStatusCode)429 => "limited",
                HttpStatusCode.BadRequest when text.Contains("Too many failed login attempts", StringComparison.Ordinal) && response.Headers.RetryAfter is not null => "limited",
                _ => $"{(int)response.StatusCode} {text}",
            };
        }));
        var hashes = HashesRun() - before;

        var checkedCount = answers.Count(a => a == "checked");
        Assert.True(answers.All(a => a is "checked" or "limited"), string.Join("\n", answers.Where(a => a is not ("checked" or "limited"))));
        Assert.InRange(checkedCount, 1, Limit);
        Assert.InRange(hashes, checkedCount, Limit);
    }

    [Fact]
    public async Task Successful_logins_spend_none_of_the_failed_login_limit()
    {
        await CreateAsync("door-success");
        await using var node = NodeWithFailedLoginLimit(3, "198.51.100.65");
        using var http = node.CreateClient();
        for (var i = 0; i < 10; i++)
            await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "door-success", password = Password }));
        for (var i = 0; i < 3; i++)
            await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/login", new { username = "door-success-nobody", password = Password }), HttpStatusCode.Unauthorized);
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/login", new { username = "door-success", password = Password }), (HttpStatusCode)429);
    }

    [Fact]
    public async Task An_operator_can_limit_every_authentication_request_per_address()
    {
        await using var node = _api.WithWebHostBuilder(b => b.UseSetting("RateLimit:AuthRequestsPerMinute", "2"));
        using var http = node.CreateClient();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword })).StatusCode);
        var limited = await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword });
        await HttpAssert.Problem(limited, (HttpStatusCode)429, "Too many requests; retry later");
        Assert.NotNull(limited.Headers.RetryAfter);
        // Other endpoints are not limited by it.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Admins_read_a_users_security_events_newest_first_without_secrets()
    {
        var id = await CreateAsync("door-events");
        using var anon = _api.CreateClient();
        await anon.PostAsJsonAsync("/api/users/login", new { username = "door-events", password = "Wrong-pw-1" });
        var login = await HttpAssert.Ok(await anon.PostAsJsonAsync("/api/users/login", new { username = "door-events", password = Password }));
        using (var user = _api.CreateClient())
        {
            user.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await user.PostAsync("/api/users/logout", null)).StatusCode);
        }
        using var admin = await AdminAsync();
        await HttpAssert.Ok(await admin.PatchAsync($"/api/users/{id}", JsonContent.Create(new { password = "Reset-by-admin-9" })));

        var events = await HttpAssert.Ok(await admin.GetAsync($"/api/users/{id}/events"));
        var names = events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(["password_changed", "user_changed", "session_revoked", "login_succeeded", "login_failed", "user_created"], names);
        Assert.Equal(6, events.GetProperty("total").GetInt32());
        var text = events.GetRawText();
        foreach (var secret in new[] { Password, "Wrong-pw-1", "Reset-by-admin-9", "$argon2id$", login.GetProperty("accessToken").GetString()!, "eyJ" })
            Assert.DoesNotContain(secret, text);
        Assert.Contains("password set by an admin", text);
        Assert.Contains("set by an admin; 0 sessions revoked", text);

        using var plain = _api.CreateClient();
        plain.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await plain.GetAsync($"/api/users/{id}/events")).StatusCode);
    }
}
