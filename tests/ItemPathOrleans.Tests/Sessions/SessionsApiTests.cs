using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Sessions;

/// <summary>Logout, the current user's sessions and password, and the admin's view of a user's sessions.</summary>
[Collection(ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class SessionsApiTests(ServiceFixture service)
{
    private async Task<(string Name, int Id)> NewUserAsync(string type = "user")
    {
        var name = ServiceFixture.UniqueName("ses");
        var user = await service.CreateUserAsync(name, "Long-enough-pw-1", type);
        return (name, user.GetProperty("id").GetInt32());
    }

    private static string Access(JsonElement login) => login.GetProperty("accessToken").GetString()!;
    private static string Refresh(JsonElement login) => login.GetProperty("refreshToken").GetString()!;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Logout_with_either_token_ends_the_session(bool withRefreshToken)
    {
        var (name, _) = await NewUserAsync();
        var login = await service.LoginAsync(name, "Long-enough-pw-1");
        using var me = service.ClientWith(Access(login));
        Assert.Equal(HttpStatusCode.OK, (await me.GetAsync("/api/users/me")).StatusCode);

        using var logout = service.ClientWith(withRefreshToken ? Refresh(login) : Access(login));
        var response = await logout.PostAsync("/api/users/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        await HttpAssert.InvalidToken(await me.GetAsync("/api/users/me"), "Token has been revoked");
        using var refresh = service.ClientWith(Refresh(login));
        await HttpAssert.InvalidToken(await refresh.PostAsync("/api/users/refresh", null), "Token has been revoked");
    }

    [Fact]
    public async Task Logout_ends_only_its_own_session()
    {
        var (name, _) = await NewUserAsync();
        var first = await service.LoginAsync(name, "Long-enough-pw-1");
        var second = await service.LoginAsync(name, "Long-enough-pw-1");
        using var logout = service.ClientWith(Access(first));
        Assert.Equal(HttpStatusCode.NoContent, (await logout.PostAsync("/api/users/logout", null)).StatusCode);
        using var other = service.ClientWith(Access(second));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/users/me")).StatusCode);
    }

    [Fact]
    public async Task Logout_without_a_token_is_401()
    {
        using var http = service.Client();
        await HttpAssert.Problem(await http.PostAsync("/api/users/logout", null), HttpStatusCode.Unauthorized, "Missing Authorization Header");
    }

    [Fact]
    public async Task My_sessions_list_logins_and_application_tokens_and_never_a_token()
    {
        var (name, _) = await NewUserAsync("application");
        var first = await service.LoginAsync(name, "Long-enough-pw-1");
        await service.LoginAsync(name, "Long-enough-pw-1");
        using (var app = service.ClientWith(Refresh(first)))
            await HttpAssert.Ok(await app.PostAsync("/api/users/application-token", JsonContent.Create(new { name = "sync" })));

        using var http = service.ClientWith(Access(first));
        var body = await HttpAssert.Ok(await http.GetAsync("/api/users/me/sessions"));
        Assert.Equal(3, body.GetProperty("total").GetInt32());
        var sessions = body.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(2, sessions.Count(s => s.GetProperty("kind").GetString() == "login"));
        var application = Assert.Single(sessions, s => s.GetProperty("kind").GetString() == "application");
        Assert.Equal("sync", application.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, application.GetProperty("expiresAt").ValueKind);
        Assert.Contains(sessions, s => s.GetProperty("id").GetString() == JwtClaims.Claim(Access(first), "sid"));
        foreach (var s in sessions)
        {
            Assert.EndsWith("Z", s.GetProperty("createdAt").GetString());
            Assert.DoesNotContain("eyJ", s.GetRawText());
        }

        var page = await HttpAssert.Ok(await http.GetAsync("/api/users/me/sessions?limit=2&page=1"));
        Assert.Equal(1, page.GetProperty("sessions").GetArrayLength());
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        // A page far past the end is empty, not the first page again.
        var far = await HttpAssert.Ok(await http.GetAsync("/api/users/me/sessions?limit=1000&page=2147483647"));
        Assert.Equal(0, far.GetProperty("sessions").GetArrayLength());
    }

    [Fact]
    public async Task Deleting_one_of_my_sessions_revokes_it_and_an_unknown_one_is_404()
    {
        var (name, _) = await NewUserAsync();
        var mine = await service.LoginAsync(name, "Long-enough-pw-1");
        var other = await service.LoginAsync(name, "Long-enough-pw-1");
        using var http = service.ClientWith(Access(mine));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/users/me/sessions/{JwtClaims.Claim(Access(other), "sid")}")).StatusCode);
        using var otherHttp = service.ClientWith(Refresh(other));
        await HttpAssert.InvalidToken(await otherHttp.PostAsync("/api/users/refresh", null), "Token has been revoked");
        await HttpAssert.Problem(await http.DeleteAsync("/api/users/me/sessions/no-such-session"), HttpStatusCode.NotFound, "Session not found");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/users/me")).StatusCode);
    }

    [Fact]
    public async Task Changing_my_password_keeps_this_session_and_revokes_every_other_one()
    {
        var (name, _) = await NewUserAsync("application");
        var mine = await service.LoginAsync(name, "Long-enough-pw-1");
        var other = await service.LoginAsync(name, "Long-enough-pw-1");
        string appToken;
        using (var app = service.ClientWith(Refresh(other)))
            appToken = (await HttpAssert.Ok(await app.PostAsync("/api/users/application-token", null))).GetProperty("token").GetString()!;

        using var http = service.ClientWith(Access(mine));
        var response = await http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Long-enough-pw-1", newPassword = "Brand-new-pw-22" });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/users/me")).StatusCode);
        using var otherHttp = service.ClientWith(Access(other));
        await HttpAssert.InvalidToken(await otherHttp.GetAsync("/api/users/me"), "Token has been revoked");
        using var appHttp = service.ClientWith(appToken);
        await HttpAssert.InvalidToken(await appHttp.GetAsync("/api/users/me"), "Token has been revoked");
        await service.LoginAsync(name, "Brand-new-pw-22");
    }

    [Fact]
    public async Task A_wrong_current_password_or_a_weak_new_one_changes_nothing()
    {
        var (name, _) = await NewUserAsync();
        var login = await service.LoginAsync(name, "Long-enough-pw-1");
        using var http = service.ClientWith(Access(login));

        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Not-my-password-1", newPassword = "Brand-new-pw-22" }),
            HttpStatusCode.Forbidden, "Current password is incorrect");
        var weak = await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Long-enough-pw-1", newPassword = "short" }), HttpStatusCode.BadRequest);
        Assert.Contains("at least 8", weak.GetProperty("msg").GetString());
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Long-enough-pw-1" }), HttpStatusCode.BadRequest, "Missing field: newPassword");

        await service.LoginAsync(name, "Long-enough-pw-1");
    }

    [Fact]
    public async Task Application_tokens_cannot_change_the_password()
    {
        var (name, _) = await NewUserAsync("application");
        var login = await service.LoginAsync(name, "Long-enough-pw-1");
        using var app = service.ClientWith(Refresh(login));
        var token = (await HttpAssert.Ok(await app.PostAsync("/api/users/application-token", null))).GetProperty("token").GetString()!;
        using var http = service.ClientWith(token);
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Long-enough-pw-1", newPassword = "Brand-new-pw-22" }),
            HttpStatusCode.Forbidden, "Application tokens cannot change the password");
    }

    [Fact]
    public async Task Admins_list_and_revoke_a_users_sessions()
    {
        var (name, id) = await NewUserAsync();
        var first = await service.LoginAsync(name, "Long-enough-pw-1");
        var second = await service.LoginAsync(name, "Long-enough-pw-1");
        var third = await service.LoginAsync(name, "Long-enough-pw-1");
        using var admin = service.ClientWith(Access(await service.AdminLoginAsync()));

        var listed = await HttpAssert.Ok(await admin.GetAsync($"/api/users/{id}/sessions"));
        Assert.Equal(3, listed.GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{id}/sessions/{JwtClaims.Claim(Access(first), "sid")}")).StatusCode);
        using (var firstHttp = service.ClientWith(Access(first)))
            await HttpAssert.InvalidToken(await firstHttp.GetAsync("/api/users/me"), "Token has been revoked");
        Assert.Equal(2, (await HttpAssert.Ok(await admin.GetAsync($"/api/users/{id}/sessions"))).GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{id}/sessions")).StatusCode);
        Assert.Equal(0, (await HttpAssert.Ok(await admin.GetAsync($"/api/users/{id}/sessions"))).GetProperty("total").GetInt32());
        using (var secondHttp = service.ClientWith(Refresh(second)))
            await HttpAssert.InvalidToken(await secondHttp.PostAsync("/api/users/refresh", null), "Token has been revoked");
        using (var thirdHttp = service.ClientWith(Refresh(third)))
            Assert.Equal(HttpStatusCode.Unauthorized, (await thirdHttp.PostAsync("/api/users/refresh", null)).StatusCode);

        await HttpAssert.Problem(await admin.DeleteAsync($"/api/users/{id}/sessions/no-such"), HttpStatusCode.NotFound, "Session not found");
        await HttpAssert.Problem(await admin.GetAsync("/api/users/999999/sessions"), HttpStatusCode.NotFound, "User not found");
    }

    [Fact]
    public async Task Non_admins_cannot_see_other_users_sessions()
    {
        var (name, id) = await NewUserAsync();
        var login = await service.LoginAsync(name, "Long-enough-pw-1");
        using var http = service.ClientWith(Access(login));
        await HttpAssert.Problem(await http.GetAsync($"/api/users/{id}/sessions"), HttpStatusCode.Forbidden, "Admin rights required");
        await HttpAssert.Problem(await http.DeleteAsync($"/api/users/{id}/sessions"), HttpStatusCode.Forbidden, "Admin rights required");
    }
}
