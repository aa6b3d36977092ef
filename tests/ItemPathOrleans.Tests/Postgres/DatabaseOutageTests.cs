using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ItemPathOrleans.Tests.Postgres;

/// <summary>
/// PostgreSQL stopped under load, then started again: the requests that need it answer 503 with
/// Retry-After within a bounded time (never a 500, never a hang), readiness reports the outage,
/// and afterwards the service resumes without a restart and no session is lost.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private const string Password = "Outage-Pass-2026";
    private const int Clients = 6;
    private const int CallsPerClientDuringOutage = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);   // the API answers 503 after Orleans' 10 s at worst

    [Fact]
    public async Task A_database_outage_answers_503_with_retry_after_and_the_service_resumes_with_every_session()
    {
        await using var pg = await PrivatePostgres.StartAsync();
        var cluster = await TestClusters.StartAsync(1, pg.ConnectionString, $"outage-{Guid.NewGuid():N}");
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var http = api.CreateClient();

            var admin = await CallAsync(http, HttpMethod.Post, "/api/users/login", null, new { username = "admin", password = TestSettings.AdminPassword });
            Assert.Equal(HttpStatusCode.OK, admin.Status);
            var adminAccess = admin.Body!.Value.GetProperty("accessToken").GetString()!;

            // Each client: a user of its own with a session opened before the outage.
            var users = new string[Clients];
            var before = new (string Access, string Refresh)[Clients];
            for (var i = 0; i < Clients; i++)
            {
                users[i] = ServiceFixture.UniqueName($"outage{i}");
                var created = await CallAsync(http, HttpMethod.Post, "/api/users", adminAccess, new { username = users[i], password = Password });
                Assert.Equal(HttpStatusCode.Created, created.Status);
                var login = await CallAsync(http, HttpMethod.Post, "/api/users/login", null, new { username = users[i], password = Password });
                Assert.Equal(HttpStatusCode.OK, login.Status);
                before[i] = (login.Body!.Value.GetProperty("accessToken").GetString()!, login.Body.Value.GetProperty("refreshToken").GetString()!);
            }

            await pg.StopServerAsync();

            // Under load: logins (a session write each), refreshes and profile reads.
            var answers = new ConcurrentBag<Answer>();
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => Task.Run(async () =>
            {
                for (var n = 0; n < CallsPerClientDuringOutage; n++)
                {
                    answers.Add(await CallAsync(http, HttpMethod.Post, "/api/users/login", null, new { username = users[i], password = Password }));
                    answers.Add(await CallAsync(http, HttpMethod.Post, "/api/users/refresh", before[i].Refresh, null));
                    answers.Add(await CallAsync(http, HttpMethod.Get, "/api/users/me", before[i].Access, null));
                }
            })));
            var ready = await CallAsync(http, HttpMethod.Get, "/health/ready", null, null);

            var byStatus = answers.GroupBy(a => a.Status).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine($"during the outage: {string.Join(", ", byStatus.Select(kv => $"{(int)kv.Key}: {kv.Value}"))}; " +
                             $"slowest answer {answers.Max(a => a.Elapsed).TotalMilliseconds:0} ms; /health/ready {(int)ready.Status}");
            Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                $"{a.Method} {a.Path}: {(int)a.Status} {a.Body}"));
            Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a =>
            {
                Assert.NotNull(a.RetryAfter);
                Assert.Equal("application/problem+json", a.ContentType);
            });
            Assert.All(answers, a => Assert.True(a.Elapsed < Bound, $"{a.Method} {a.Path} took {a.Elapsed}"));
            Assert.Contains(answers, a => a.Path == "/api/users/login" && a.Status == HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);

            await pg.StartServerAsync();

            // Resumes without a restart: poll (bounded) until a login succeeds and readiness is back.
            var clock = Stopwatch.StartNew();
            Answer again;
            do
            {
                again = await CallAsync(http, HttpMethod.Post, "/api/users/login", null, new { username = users[0], password = Password });
                Assert.True(again.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"login after the outage: {(int)again.Status} {again.Body}");
                if (again.Status == HttpStatusCode.OK) break;
                await Task.Delay(200);
            }
            while (clock.Elapsed < TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.OK, again.Status);
            output.WriteLine($"first successful login {clock.Elapsed.TotalMilliseconds:0} ms after PostgreSQL was started again");
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(http, HttpMethod.Get, "/health/ready", null, null)).Status);

            // No session lost: every session opened before the outage refreshes and validates.
            for (var i = 0; i < Clients; i++)
            {
                var refreshed = await CallAsync(http, HttpMethod.Post, "/api/users/refresh", before[i].Refresh, null);
                Assert.True(refreshed.Status == HttpStatusCode.OK, $"{users[i]}: refresh after the outage: {(int)refreshed.Status} {refreshed.Body}");
                var me = await CallAsync(http, HttpMethod.Get, "/api/users/me", refreshed.Body!.Value.GetProperty("accessToken").GetString(), null);
                Assert.Equal(HttpStatusCode.OK, me.Status);
                Assert.Equal(users[i], me.Body!.Value.GetProperty("username").GetString());
            }
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private sealed record Answer(string Method, string Path, HttpStatusCode Status, JsonElement? Body, TimeSpan Elapsed, string? RetryAfter, string? ContentType);

    private static async Task<Answer> CallAsync(HttpClient http, HttpMethod method, string path, string? bearer, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (body is not null) request.Content = JsonContent.Create(body);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        clock.Stop();
        JsonElement? json = null;
        try
        {
            if (text.Length > 0) json = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        return new Answer(method.Method, path, response.StatusCode, json, clock.Elapsed,
            response.Headers.RetryAfter?.ToString(), response.Content.Headers.ContentType?.MediaType);
    }
}
