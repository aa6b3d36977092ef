using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Sessions;

[Collection(ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class LoginTests(ServiceFixture service)
{
    [Fact]
    public async Task Login_answers_the_ItemPath_body_with_both_tokens()
    {
        var name = ServiceFixture.UniqueName("login-ok");
        var user = await service.CreateUserAsync(name, "Long-enough-pw-1");
        using var http = service.Client();

        var before = DateTime.UtcNow.AddSeconds(-2);
        var response = await http.PostAsync("/api/users/login",
            new StringContent($$"""{ "username": "{{name}}", "password": "Long-enough-pw-1"}""", Encoding.UTF8, "application/json"));
        var body = await HttpAssert.Ok(response);

        Assert.True(body.GetProperty("login").GetBoolean());
        Assert.Equal(user.GetProperty("id").GetInt32(), body.GetProperty("id").GetInt32());
        Assert.Equal(name, body.GetProperty("username").GetString());
        Assert.False(body.GetProperty("isAdmin").GetBoolean());
        Assert.Equal("user", body.GetProperty("type").GetString());
        Assert.StartsWith("eyJ", body.GetProperty("accessToken").GetString());
        Assert.StartsWith("eyJ", body.GetProperty("refreshToken").GetString());

        var access = DateTime.ParseExact(body.GetProperty("accessExpiryDate").GetString()!, "MM/dd/yyyy, HH:mm:ss", CultureInfo.InvariantCulture);
        var refresh = DateTime.ParseExact(body.GetProperty("refreshExpiryDate").GetString()!, "MM/dd/yyyy, HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.InRange(access - before, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(30));
        Assert.InRange(refresh - before, TimeSpan.FromDays(30), TimeSpan.FromDays(30) + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Usernames_compare_case_insensitively_after_NFKC()
    {
        var name = ServiceFixture.UniqueName("ｃａｓｅ");  // full-width letters fold to "case" under NFKC
        await service.CreateUserAsync(name, "Long-enough-pw-1");
        var login = await service.LoginAsync(name.Normalize(NormalizationForm.FormKC).ToUpperInvariant(), "Long-enough-pw-1");
        Assert.True(login.GetProperty("login").GetBoolean());
    }

    [Fact]
    public async Task Unknown_user_wrong_password_pending_and_deactivated_users_answer_alike()
    {
        var name = ServiceFixture.UniqueName("login-bad");
        await service.CreateUserAsync(name, "Long-enough-pw-1");
        var pending = ServiceFixture.UniqueName("login-pending");
        var deactivated = ServiceFixture.UniqueName("login-off");
        await CreateWithStatus(pending, 0);
        await CreateWithStatus(deactivated, 2);
        using var http = service.Client();

        var answers = new List<string>();
        foreach (var (username, password) in new[]
                 {
                     (name, "Wrong-password-1"), (ServiceFixture.UniqueName("nobody"), "Long-enough-pw-1"),
                     (pending, "Long-enough-pw-1"), (deactivated, "Long-enough-pw-1"),
                 })
        {
            var response = await http.PostAsJsonAsync("/api/users/login", new { username, password });
            var body = await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, "Bad username or password");
            Assert.False(body.GetProperty("login").GetBoolean());
            answers.Add(body.GetRawText());
        }
        Assert.Single(answers.Distinct());
    }

    [Theory]
    [InlineData("""{"password": "x"}""", "Missing field: username")]
    [InlineData("""{"username": "x"}""", "Missing field: password")]
    [InlineData("""{"username": 5, "password": "x"}""", "Field 'username' must be a string")]
    [InlineData("""{"username": "", "password": "x"}""", "username must be 1 to 128 characters")]
    [InlineData("""{"username": "x", "password": ""}""", "password must be 1 to 1024 characters")]
    [InlineData("""{"username": "x", "password": "x""", "Malformed JSON body")]
    [InlineData("""["username"]""", "The JSON body must be an object")]
    [InlineData("", "Missing JSON body")]
    public async Task Bad_login_requests_are_400_naming_the_problem(string json, string msg)
    {
        using var http = service.Client();
        var response = await http.PostAsync("/api/users/login", new StringContent(json, Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(response, HttpStatusCode.BadRequest, msg);
    }

    [Fact]
    public async Task Over_long_username_and_password_are_400()
    {
        using var http = service.Client();
        var longName = await http.PostAsJsonAsync("/api/users/login", new { username = new string('u', 129), password = "x" });
        await HttpAssert.Problem(longName, HttpStatusCode.BadRequest, "username must be 1 to 128 characters");
        var longPassword = await http.PostAsJsonAsync("/api/users/login", new { username = "u", password = new string('p', 1025) });
        await HttpAssert.Problem(longPassword, HttpStatusCode.BadRequest, "password must be 1 to 1024 characters");
    }

    [Fact]
    public async Task Unknown_request_fields_are_ignored()
    {
        var name = ServiceFixture.UniqueName("login-extra");
        await service.CreateUserAsync(name, "Long-enough-pw-1");
        using var http = service.Client();
        var response = await http.PostAsJsonAsync("/api/users/login", new { username = name, password = "Long-enough-pw-1", remember = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task CreateWithStatus(string username, int status)
    {
        var admin = await service.AdminLoginAsync();
        using var http = service.ClientWith(admin.GetProperty("accessToken").GetString()!);
        var response = await http.PostAsJsonAsync("/api/users", new { username, password = "Long-enough-pw-1", status });
        Assert.Equal(status, (await HttpAssert.Ok(response, HttpStatusCode.Created)).GetProperty("status").GetInt32());
    }
}
