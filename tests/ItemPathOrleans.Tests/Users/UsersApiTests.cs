using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Users;

[Collection(ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class UsersApiTests(ServiceFixture service)
{
    private async Task<HttpClient> AdminAsync() =>
        service.ClientWith((await service.AdminLoginAsync()).GetProperty("accessToken").GetString()!);

    [Fact]
    public async Task Non_admins_get_403_on_the_users_API()
    {
        var name = ServiceFixture.UniqueName("plain");
        await service.CreateUserAsync(name, "Long-enough-pw-1");
        var login = await service.LoginAsync(name, "Long-enough-pw-1");
        using var http = service.ClientWith(login.GetProperty("accessToken").GetString()!);
        await HttpAssert.Problem(await http.GetAsync("/api/users"), HttpStatusCode.Forbidden, "Admin rights required");
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users", new { username = "x", password = "Long-enough-pw-1" }), HttpStatusCode.Forbidden, "Admin rights required");
    }

    [Fact]
    public async Task Create_answers_201_with_the_user_and_never_a_password()
    {
        using var http = await AdminAsync();
        var name = ServiceFixture.UniqueName("new");
        var response = await http.PostAsJsonAsync("/api/users", new
        {
            username = name, password = "Long-enough-pw-1", email = $"{name}@example.com", type = "application",
            isAdmin = false, language = "fr", timeZone = "Europe/Paris",
        });
        var user = await HttpAssert.Ok(response, HttpStatusCode.Created);
        Assert.Equal(name, user.GetProperty("username").GetString());
        Assert.Equal(3, user.GetProperty("status").GetInt32()); // active application user
        Assert.Equal("fr", user.GetProperty("language").GetString());
        Assert.Equal("Europe/Paris", user.GetProperty("timeZone").GetString());
        Assert.EndsWith("Z", user.GetProperty("createdAt").GetString());
        Assert.DoesNotContain("password", user.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"/api/users/{user.GetProperty("id").GetInt32()}", response.Headers.Location?.ToString());

        var read = await HttpAssert.Ok(await http.GetAsync($"/api/users/{user.GetProperty("id").GetInt32()}"));
        Assert.Equal(user.GetRawText(), read.GetRawText());
    }

    [Fact]
    public async Task Usernames_and_emails_are_unique_per_tenant_ignoring_case()
    {
        using var http = await AdminAsync();
        var name = ServiceFixture.UniqueName("dup");
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name, password = "Long-enough-pw-1", email = $"{name}@example.com" }), HttpStatusCode.Created);

        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users", new { username = name.ToUpperInvariant(), password = "Long-enough-pw-1" }),
            HttpStatusCode.Conflict, "Username already exists");
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users", new { username = name + "-2", password = "Long-enough-pw-1", email = $"{name.ToUpperInvariant()}@EXAMPLE.com" }),
            HttpStatusCode.Conflict, "Email already exists");
        // The refused creation left the second name free.
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name + "-2", password = "Long-enough-pw-1" }), HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("short", "at least 8")]
    [InlineData("password123", "too common")]
    public async Task Weak_passwords_are_400_naming_the_rule(string password, string rule)
    {
        using var http = await AdminAsync();
        var body = await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users", new { username = ServiceFixture.UniqueName("weak"), password }), HttpStatusCode.BadRequest);
        Assert.Contains(rule, body.GetProperty("msg").GetString());
    }

    [Theory]
    [InlineData("""{"password": "Long-enough-pw-1"}""", "Missing field: username")]
    [InlineData("""{"username": "u-1", "password": "Long-enough-pw-1", "type": "robot"}""", "type must be \"user\" or \"application\"")]
    [InlineData("""{"username": "u-1", "password": "Long-enough-pw-1", "status": 7}""", "status must be 0, 1, 2 or 3")]
    [InlineData("""{"username": "u-1", "password": "Long-enough-pw-1", "email": "not-an-email"}""", "email is not a valid address")]
    [InlineData("""{"username": "u-1", "password": "Long-enough-pw-1", "language": "de"}""", "language must be \"en\" or \"fr\"")]
    [InlineData("""{"username": "u-1", "password": "Long-enough-pw-1", "isAdmin": "yes"}""", "Field 'isAdmin' must be a boolean")]
    public async Task Invalid_users_are_400_naming_the_field(string json, string msg)
    {
        using var http = await AdminAsync();
        var response = await http.PostAsync("/api/users", new StringContent(json, Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(response, HttpStatusCode.BadRequest, msg);
    }

    [Fact]
    public async Task Update_changes_the_fields_present_and_keeps_the_others()
    {
        using var http = await AdminAsync();
        var name = ServiceFixture.UniqueName("upd");
        var created = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name, password = "Long-enough-pw-1", email = $"{name}@example.com" }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();

        var patched = await HttpAssert.Ok(await http.PatchAsync($"/api/users/{id}", JsonContent.Create(new { language = "fr" })));
        Assert.Equal("fr", patched.GetProperty("language").GetString());
        Assert.Equal($"{name}@example.com", patched.GetProperty("email").GetString());

        var posted = await HttpAssert.Ok(await http.PostAsync($"/api/users/{id}", new StringContent("""{"email": null, "type": "application"}""", Encoding.UTF8, "application/json")));
        Assert.Equal(JsonValueKind.Null, posted.GetProperty("email").ValueKind);
        Assert.Equal("fr", posted.GetProperty("language").GetString());
        Assert.Equal(3, posted.GetProperty("status").GetInt32()); // 1 becomes 3 for an application user

        var back = await HttpAssert.Ok(await http.PatchAsync($"/api/users/{id}", JsonContent.Create(new { type = "user" })));
        Assert.Equal(1, back.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Renaming_frees_the_old_name_and_moves_the_login()
    {
        using var http = await AdminAsync();
        var name = ServiceFixture.UniqueName("ren");
        var id = (await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name, password = "Long-enough-pw-1" }), HttpStatusCode.Created)).GetProperty("id").GetInt32();

        await HttpAssert.Ok(await http.PatchAsync($"/api/users/{id}", JsonContent.Create(new { username = name + "-new" })));
        var login = await service.LoginAsync(name + "-new", "Long-enough-pw-1");
        Assert.Equal(id, login.GetProperty("id").GetInt32());
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name, password = "Long-enough-pw-1" }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_password_set_by_an_admin_ends_the_users_sessions_and_works_for_login()
    {
        using var http = await AdminAsync();
        var name = ServiceFixture.UniqueName("pw");
        var id = (await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name, password = "Long-enough-pw-1" }), HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var old = await service.LoginAsync(name, "Long-enough-pw-1");

        await HttpAssert.Ok(await http.PatchAsync($"/api/users/{id}", JsonContent.Create(new { password = "Another-long-pw-2" })));

        using var refresh = service.ClientWith(old.GetProperty("refreshToken").GetString()!);
        await HttpAssert.InvalidToken(await refresh.PostAsync("/api/users/refresh", null), "Token has been revoked");
        using var anon = service.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostAsJsonAsync("/api/users/login", new { username = name, password = "Long-enough-pw-1" })).StatusCode);
        await service.LoginAsync(name, "Another-long-pw-2");
    }

    [Fact]
    public async Task Delete_answers_204_then_the_user_is_gone_and_cannot_log_in()
    {
        using var http = await AdminAsync();
        var name = ServiceFixture.UniqueName("del");
        var id = (await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = name, password = "Long-enough-pw-1" }), HttpStatusCode.Created)).GetProperty("id").GetInt32();
        var login = await service.LoginAsync(name, "Long-enough-pw-1");

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/users/{id}")).StatusCode);
        await HttpAssert.Problem(await http.GetAsync($"/api/users/{id}"), HttpStatusCode.NotFound, "User not found");
        await HttpAssert.Problem(await http.DeleteAsync($"/api/users/{id}"), HttpStatusCode.NotFound, "User not found");
        using var anon = service.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anon.PostAsJsonAsync("/api/users/login", new { username = name, password = "Long-enough-pw-1" })).StatusCode);
        using var refresh = service.ClientWith(login.GetProperty("refreshToken").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await refresh.PostAsync("/api/users/refresh", null)).StatusCode);
    }

    [Fact]
    public async Task List_pages_and_filters_with_a_total()
    {
        using var http = await AdminAsync();
        var prefix = ServiceFixture.UniqueName("lst");
        for (var i = 0; i < 3; i++)
            await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users", new { username = $"{prefix}-{i}", password = "Long-enough-pw-1", type = i == 2 ? "application" : "user", isAdmin = i == 1 }), HttpStatusCode.Created);

        var page0 = await HttpAssert.Ok(await http.GetAsync($"/api/users?username={prefix}&limit=2&page=0"));
        Assert.Equal(3, page0.GetProperty("total").GetInt64());
        Assert.Equal(2, page0.GetProperty("users").GetArrayLength());
        var page1 = await HttpAssert.Ok(await http.GetAsync($"/api/users?username={prefix.ToUpperInvariant()}&limit=2&page=1"));
        Assert.Equal(1, page1.GetProperty("users").GetArrayLength());
        var apps = await HttpAssert.Ok(await http.GetAsync($"/api/users?username={prefix}&type=application"));
        Assert.Equal($"{prefix}-2", Assert.Single(apps.GetProperty("users").EnumerateArray()).GetProperty("username").GetString());
        var admins = await HttpAssert.Ok(await http.GetAsync($"/api/users?username={prefix}&isAdmin=true"));
        Assert.Equal($"{prefix}-1", Assert.Single(admins.GetProperty("users").EnumerateArray()).GetProperty("username").GetString());
        Assert.Equal(2, (await HttpAssert.Ok(await http.GetAsync($"/api/users?username={prefix}&isAdmin=false"))).GetProperty("total").GetInt64());
        var none = await HttpAssert.Ok(await http.GetAsync($"/api/users?username={prefix}&status=2"));
        Assert.Equal(0, none.GetProperty("total").GetInt64());
        var far = await HttpAssert.Ok(await http.GetAsync($"/api/users?username={prefix}&limit=1000&page=2147483647"));
        Assert.Equal(0, far.GetProperty("users").GetArrayLength());
        Assert.Equal(3, far.GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=abc")]
    [InlineData("page=-1")]
    [InlineData("status=9")]
    [InlineData("type=robot")]
    [InlineData("isAdmin=yes")]
    public async Task Bad_list_parameters_are_400(string query)
    {
        using var http = await AdminAsync();
        await HttpAssert.Problem(await http.GetAsync($"/api/users?{query}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_user_ids_are_404()
    {
        using var http = await AdminAsync();
        await HttpAssert.Problem(await http.GetAsync("/api/users/999999"), HttpStatusCode.NotFound, "User not found");
        await HttpAssert.Problem(await http.PatchAsync("/api/users/999999", JsonContent.Create(new { language = "fr" })), HttpStatusCode.NotFound);
    }
}
