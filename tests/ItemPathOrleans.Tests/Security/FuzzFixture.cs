using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Grains.Security;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Security;

/// <summary>
/// A cluster of its own for the fuzz tests (1 silo, memory storage, cheap Argon2 so that
/// hundreds of logins stay fast) and the API in-process, with an admin, a plain user and an
/// application user logged in.
/// </summary>
public sealed class FuzzFixture : IAsyncLifetime
{
    public const string TargetPassword = "Fuzz-Target-Pass-1";
    public const string AppPassword = "Fuzz-App-Pass-0001";

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public WebApplicationFactory<Program> Api { get; private set; } = null!;

    /// <summary>The API's log, to show the server's exception when a request gets a 5xx.</summary>
    public LogCapture ApiLog { get; } = new("api");
    public HttpClient Http { get; private set; } = null!;
    public TestTokens Tokens { get; private set; } = null!;

    public string AdminAccess { get; private set; } = null!;
    public string AdminRefresh { get; private set; } = null!;
    public int AdminId { get; private set; }
    public int TargetId { get; private set; }
    public string TargetAccess { get; private set; } = null!;
    public int AppId { get; private set; }
    public string AppRefresh { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await TestClusters.StartAsync(silos: 1, settings: new Dictionary<string, string?>
        {
            ["Passwords:MemoryKib"] = "8192",
            ["Passwords:Iterations"] = "1",
        });
        Api = new ApiFactory(Cluster.Client).WithWebHostBuilder(b => b.ConfigureLogging(l => l.ClearProviders().AddProvider(ApiLog)));
        Http = Api.CreateClient();
        Tokens = await TestTokens.ForAsync(Cluster.Client);

        var admin = await LoginAsync("admin", TestSettings.AdminPassword);
        AdminAccess = admin.GetProperty("accessToken").GetString()!;
        AdminRefresh = admin.GetProperty("refreshToken").GetString()!;
        AdminId = admin.GetProperty("id").GetInt32();

        TargetId = await CreateUserAsync("fuzz-target", TargetPassword, "user");
        TargetAccess = (await LoginAsync("fuzz-target", TargetPassword)).GetProperty("accessToken").GetString()!;
        AppId = await CreateUserAsync("fuzz-app", AppPassword, "application");
        AppRefresh = (await LoginAsync("fuzz-app", AppPassword)).GetProperty("refreshToken").GetString()!;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Api.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    public async Task<JsonElement> LoginAsync(string username, string password)
    {
        var response = await Http.PostAsJsonAsync("/api/users/login", new { username, password });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"login of {username} failed: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<int> CreateUserAsync(string username, string password, string type)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users") { Content = JsonContent.Create(new { username, password, type }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminAccess);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"creating {username} failed: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>What must not change: the admin's list of users and the tenant's settings, as JSON text.</summary>
    public async Task<string> SnapshotAsync()
    {
        var users = await GetAsAdminAsync("/api/users?limit=1000");
        var tenant = await GetAsAdminAsync("/api/tenants/default");
        return users + "\n" + tenant;
    }

    private async Task<string> GetAsAdminAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminAccess);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} as admin: {(int)response.StatusCode} {text}\nlast security events:\n{RecentSecurityEvents()}");
        return text;
    }

    /// <summary>After a run: the same users and settings as before, and the admin still logs in.</summary>
    public async Task AssertNothingChangedAsync(string before)
    {
        var after = await SnapshotAsync();
        Assert.True(before == after, $"state changed.\nbefore: {before}\nafter:  {after}\nlast security events:\n{RecentSecurityEvents()}");
        var login = await Http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword });
        Assert.True(login.IsSuccessStatusCode, $"the admin can no longer log in: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
    }

    /// <summary>The newest security events of the silo, to explain a change of state.</summary>
    public string RecentSecurityEvents() => string.Join("\n", Cluster.Silos
        .SelectMany(s => s.ServiceProvider.GetRequiredService<InMemorySecurityEventStore>().Events)
        .TakeLast(30).Select(e => $"  {e.At:HH:mm:ss.fff} {e.Name} user {e.UserId}: {e.Detail}"));

    public async Task<(int Status, string? MediaType, string Text)> SendAsync(FuzzRequest r)
    {
        using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
        // What a client can put on the wire: Kestrel refuses header bytes outside visible ASCII itself.
        if (r.Authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", OnTheWire(r.Authorization));
        if (r.Body is not null || r.ContentType is not null)
        {
            var bytes = r.Body?.Bytes ?? [];
            HttpContent content = r.Chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
            if (r.ContentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", OnTheWire(r.ContentType));
            request.Content = content;
            if (r.Chunked) request.Headers.TransferEncodingChunked = true;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Http.SendAsync(request, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    private static string OnTheWire(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value) text.Append(c is >= ' ' and <= '~' ? c : '?');
        return text.ToString();
    }

    /// <summary>
    /// The request is refused (a 4xx, one of <paramref name="allowed"/> when given) in the
    /// contract's problem shape: never a 5xx, never a success.
    /// </summary>
    public async Task AssertRefusedAsync(FuzzRequest r, params int[] allowed)
    {
        var errorsBefore = ApiLog.Lines.Count(l => l.Level >= LogLevel.Error);
        var (status, mediaType, text) = await SendAsync(r);
        var shown = text.Length > 400 ? text[..400] + "..." : text;
        if (status >= 500)
        {
            var logged = ApiLog.Lines.Where(l => l.Level >= LogLevel.Error).Skip(errorsBefore).FirstOrDefault()?.ToString() ?? "(nothing logged)";
            throw new Xunit.Sdk.XunitException($"{status} (a server error) for {r}\nanswer: {shown}\nserver log: {(logged.Length > 3_000 ? logged[..3_000] : logged)}");
        }
        if (status is < 400 or >= 500) throw new Xunit.Sdk.XunitException($"{status} (not a refusal) for {r}\nanswer: {shown}");
        if (allowed.Length > 0 && !allowed.Contains(status)) throw new Xunit.Sdk.XunitException($"{status} (expected one of {string.Join(", ", allowed)}) for {r}\nanswer: {shown}");
        if (mediaType != "application/problem+json") throw new Xunit.Sdk.XunitException($"{status} with content type '{mediaType}' for {r}\nanswer: {shown}");
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(text).RootElement;
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"{status} with a body that is not JSON for {r}\nanswer: {shown}");
        }
        if (!body.TryGetProperty("msg", out var msg) || msg.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(msg.GetString())
            || !body.TryGetProperty("detail", out var detail) || detail.GetString() != msg.GetString()
            || !body.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || s.GetInt32() != status)
            throw new Xunit.Sdk.XunitException($"{status} without the problem shape (msg = detail, status) for {r}\nanswer: {shown}");
    }
}
