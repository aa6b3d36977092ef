using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Sessions;

/// <summary>
/// What a change of a user's credential (password, status, type) does to logins in flight and to
/// the tokens the user already holds, as an HTTP client sees it.
/// </summary>
[Collection(ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class CredentialChangeTests(ServiceFixture service)
{
    private const string OldPassword = "Old-password-2026";
    private const string NewPassword = "New-password-2027";
    private const string BossPassword = "Boss-password-2026";

    [Fact]
    public async Task Logins_with_the_old_password_racing_an_admin_reset_leave_no_usable_session()
    {
        // A tenant of its own, so that many parallel attempts from one address are not locked out.
        var tenant = $"race-{Guid.NewGuid():N}"[..13];
        using (var op = Client(token: (await service.AdminLoginAsync()).GetProperty("accessToken").GetString()))
        {
            await HttpAssert.Ok(await op.PostAsJsonAsync("/api/tenants", new { id = tenant, name = tenant, adminUsername = "boss", adminPassword = BossPassword }), HttpStatusCode.Created);
            await HttpAssert.Ok(await op.PostAsJsonAsync($"/api/tenants/{tenant}", new { lockoutThreshold = 100, lockoutUserThreshold = 10_000 }));
        }
        var boss = Access(await LoginAsync(tenant, "boss", BossPassword));
        using var admin = Client(tenant, boss);
        var user = await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/users", new { username = "racer", password = OldPassword }), HttpStatusCode.Created);
        var id = user.GetProperty("id").GetInt32();

        // Many logins with the old password; once the first has answered, the others are queued
        // at their hash or past it, and the admin's reset lands among them.
        const int Logins = 48;
        var logins = Enumerable.Range(0, Logins).Select(_ => TryLoginAsync(tenant, "racer", OldPassword)).ToList();
        await Task.WhenAny(logins);
        await HttpAssert.Ok(await admin.PostAsJsonAsync($"/api/users/{id}", new { password = NewPassword }));
        var answers = await Task.WhenAll(logins);

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"login answered {(int)a.Status}"));
        var succeeded = answers.Where(a => a.Status == HttpStatusCode.OK).Select(a => a.Body).ToList();
        Assert.NotEmpty(succeeded);
        // Every session an old-password login opened, before or after the reset, is over.
        foreach (var login in succeeded)
        {
            using var me = Client(tenant, Access(login));
            await HttpAssert.InvalidToken(await me.GetAsync("/api/users/me"), "Token has been revoked");
            using var refresh = Client(tenant, login.GetProperty("refreshToken").GetString());
            await HttpAssert.InvalidToken(await refresh.PostAsync("/api/users/refresh", null), "Token has been revoked");
        }
        using var sessions = Client(tenant, boss);
        var list = await HttpAssert.Ok(await sessions.GetAsync($"/api/users/{id}/sessions"));
        Assert.Equal(0, list.GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.Unauthorized, (await TryLoginAsync(tenant, "racer", OldPassword)).Status);
        Assert.Equal(HttpStatusCode.OK, (await TryLoginAsync(tenant, "racer", NewPassword)).Status);
    }

    [Fact]
    public async Task An_application_user_made_a_plain_user_loses_its_application_tokens_at_once()
    {
        var name = ServiceFixture.UniqueName("robot");
        var robot = await service.CreateUserAsync(name, OldPassword, type: "application");
        var id = robot.GetProperty("id").GetInt32();
        var login = await service.LoginAsync(name, OldPassword);
        using var refresh = service.ClientWith(login.GetProperty("refreshToken").GetString()!);
        var app = await HttpAssert.Ok(await refresh.PostAsync("/api/users/application-token", null));
        using var asApplication = service.ClientWith(app.GetProperty("token").GetString()!);
        await HttpAssert.Ok(await asApplication.GetAsync("/api/users/me"));

        using var admin = service.ClientWith((await service.AdminLoginAsync()).GetProperty("accessToken").GetString()!);
        var changed = await HttpAssert.Ok(await admin.PostAsJsonAsync($"/api/users/{id}", new { type = "user" }));
        Assert.Equal(1, changed.GetProperty("status").GetInt32());

        await HttpAssert.InvalidToken(await asApplication.GetAsync("/api/users/me"), "Token has been revoked");
        // Its login session is not an application token: it goes on.
        using var asLogin = service.ClientWith(Access(login));
        await HttpAssert.Ok(await asLogin.GetAsync("/api/users/me"));
        var sessions = await HttpAssert.Ok(await admin.GetAsync($"/api/users/{id}/sessions"));
        Assert.Equal(["login"], sessions.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
        var events = await HttpAssert.Ok(await admin.GetAsync($"/api/users/{id}/events"));
        Assert.Contains(events.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("name").GetString() == "application_token_revoked" && e.GetProperty("detail").GetString()!.Contains("user_type_changed", StringComparison.Ordinal));
    }

    private HttpClient Client(string? tenant = null, string? token = null)
    {
        var http = service.Client();
        if (tenant is not null) http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    private async Task<JsonElement> LoginAsync(string tenant, string username, string password)
    {
        using var http = Client(tenant);
        return await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username, password }));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> TryLoginAsync(string tenant, string username, string password)
    {
        using var http = Client(tenant);
        using var response = await http.PostAsJsonAsync("/api/users/login", new { username, password });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string Access(JsonElement login) => login.GetProperty("accessToken").GetString()!;
}
