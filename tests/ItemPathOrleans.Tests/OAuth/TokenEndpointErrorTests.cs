using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using static ItemPathOrleans.Tests.OAuth.OAuthFixture;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>The token and revocation endpoints' refusals, the RFC 6749 §5.2 way, checked field by field.</summary>
[Collection(OAuthCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TokenEndpointErrorTests(OAuthFixture fixture)
{
    private Task<HttpResponseMessage> TokenAsync(params KeyValuePair<string, string>[] form) =>
        fixture.PostFormAsync(TokenEndpoint(Default), form);

    private async Task<(string Access, string Refresh)> PasswordGrantAsync(string tenant, string username)
    {
        var body = await OAuthAssert.Ok(await fixture.PasswordGrantAsync(tenant, username));
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>A new user's refresh token in the tenant with rotation on.</summary>
    private async Task<string> RotatingRefreshTokenAsync(string prefix) =>
        (await PasswordGrantAsync(fixture.RotatingTenant, await fixture.CreateUserAsync(fixture.RotatingTenant, prefix))).Refresh;

    [Fact]
    public async Task A_wrong_password_is_invalid_grant_and_an_unknown_user_looks_the_same()
    {
        var username = await fixture.CreateUserAsync(Default, "oauth-bad-pw");
        var wrong = await fixture.PasswordGrantAsync(Default, username, "Not-the-password-1");
        var body = await OAuthAssert.Error(wrong, HttpStatusCode.BadRequest, "invalid_grant", "Bad username or password");
        Assert.Equal(2, body.EnumerateObject().Count());
        Assert.False(wrong.Headers.Contains("Retry-After"));

        var unknown = await fixture.PasswordGrantAsync(Default, UniqueName("nobody"), Password);
        await OAuthAssert.Error(unknown, HttpStatusCode.BadRequest, "invalid_grant", "Bad username or password");
    }

    [Fact]
    public async Task A_locked_account_is_invalid_grant_with_Retry_After_even_for_the_right_password()
    {
        var username = await fixture.CreateUserAsync(Default, "oauth-lock");
        for (var i = 0; i < 5; i++)
        {
            var failed = await fixture.PasswordGrantAsync(Default, username, "Not-the-password-1");
            await OAuthAssert.Error(failed, HttpStatusCode.BadRequest, "invalid_grant", "Bad username or password");
        }

        var locked = await fixture.PasswordGrantAsync(Default, username, Password);
        await OAuthAssert.Error(locked, HttpStatusCode.BadRequest, "invalid_grant", "Too many failed login attempts; retry later");
        var retryAfter = int.Parse(Assert.Single(locked.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);

        // The ItemPath login sees the same lock: one lockout, two front doors.
        using var http = fixture.Client();
        var itemPath = await http.PostAsync("/api/users/login", HttpAssert.Json(new { username, password = Password }));
        await HttpAssert.Problem(itemPath, HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData("", "Missing parameter: grant_type")]
    [InlineData("grant_type=", "Missing parameter: grant_type")]
    [InlineData("grant_type=password&password=x", "Missing parameter: username")]
    [InlineData("grant_type=password&username=someone", "Missing parameter: password")]
    [InlineData("grant_type=password&username=someone&password=", "Missing parameter: password")]
    [InlineData("grant_type=refresh_token", "Missing parameter: refresh_token")]
    [InlineData("grant_type=password&grant_type=refresh_token", "Parameter 'grant_type' must not be repeated")]
    [InlineData("grant_type=password&username=a&username=b&password=x", "Parameter 'username' must not be repeated")]
    [InlineData("grant_type=password&username=a&password=x&client_id=%01", "client_id must be 1 to 128 printable ASCII characters")]
    public async Task Missing_or_malformed_parameters_are_invalid_request_naming_the_parameter(string body, string description)
    {
        using var http = fixture.Client();
        var response = await http.PostAsync(TokenEndpoint(Default), new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"));
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "invalid_request", description);
    }

    [Fact]
    public async Task The_failed_login_and_request_limits_of_the_ItemPath_login_apply_to_the_token_endpoint()
    {
        // One node whose address has three failed logins a minute, shared by both front doors.
        await using var limited = new ApiFactory(fixture.Cluster.Client, settings: new Dictionary<string, string?> { ["RateLimit:FailedLoginsPerMinute"] = "3" });
        using var http = limited.CreateClient();
        Task<HttpResponseMessage> GuessAsync(int i) => http.PostAsync(TokenEndpoint(Default), new FormUrlEncodedContent(
            [P("grant_type", "password"), P("username", UniqueName("limit-" + i)), P("password", "Not-the-password-1")]));

        await OAuthAssert.Error(await GuessAsync(0), HttpStatusCode.BadRequest, "invalid_grant", "Bad username or password");
        using (var itemPath = await http.PostAsync("/api/users/login", HttpAssert.Json(new { username = UniqueName("limit-x"), password = "Not-the-password-1" })))
            Assert.Equal(HttpStatusCode.Unauthorized, itemPath.StatusCode);
        await OAuthAssert.Error(await GuessAsync(1), HttpStatusCode.BadRequest, "invalid_grant", "Bad username or password");
        var refused = await GuessAsync(2);
        await OAuthAssert.Error(refused, HttpStatusCode.BadRequest, "invalid_grant", "Too many failed login attempts; retry later");
        Assert.NotNull(refused.Headers.RetryAfter);

        // Every authentication request per address, when an operator turns it on: the OAuth endpoints count.
        await using var capped = new ApiFactory(fixture.Cluster.Client, settings: new Dictionary<string, string?> { ["RateLimit:AuthRequestsPerMinute"] = "2" });
        using var cappedHttp = capped.CreateClient();
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await cappedHttp.PostAsync(RevocationEndpoint(Default), new FormUrlEncodedContent([P("token", "x")]))).StatusCode);
        var over = await cappedHttp.PostAsync(IntrospectionEndpoint(Default), new FormUrlEncodedContent([P("token", "x")]));
        await OAuthAssert.Error(over, (HttpStatusCode)429, "temporarily_unavailable", "Too many requests; retry later");
        Assert.NotNull(over.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code")]
    [InlineData("urn:ietf:params:oauth:grant-type:jwt-bearer")]
    public async Task Other_grant_types_are_unsupported_grant_type(string grantType)
    {
        var response = await TokenAsync(P("grant_type", grantType), P("username", "admin"), P("password", "whatever"));
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Fact]
    public async Task An_access_token_offered_as_refresh_token_is_invalid_grant()
    {
        var username = await fixture.CreateUserAsync(Default, "oauth-access-as-refresh");
        var (access, _) = await PasswordGrantAsync(Default, username);
        var response = await TokenAsync(P("grant_type", "refresh_token"), P("refresh_token", access));
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "invalid_grant", "Only refresh tokens are allowed");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")]
    [InlineData("a.b.c.d.e")]
    public async Task A_malformed_refresh_token_is_invalid_grant(string token)
    {
        var response = await TokenAsync(P("grant_type", "refresh_token"), P("refresh_token", token));
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_revoked_refresh_token_is_invalid_grant()
    {
        var username = await fixture.CreateUserAsync(Default, "oauth-revoked");
        var (_, refresh) = await PasswordGrantAsync(Default, username);
        Assert.Equal(HttpStatusCode.OK, (await fixture.RevokeAsync(Default, refresh)).StatusCode);

        var response = await TokenAsync(P("grant_type", "refresh_token"), P("refresh_token", refresh));
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "invalid_grant", "Token has been revoked");
    }

    [Fact]
    public async Task A_spent_refresh_token_is_invalid_grant_and_ends_the_session()
    {
        var tenant = fixture.RotatingTenant;
        var t0 = await RotatingRefreshTokenAsync("oauth-spent");
        var t1 = (await OAuthAssert.Ok(await fixture.RefreshGrantAsync(tenant, t0)))
            .GetProperty("refresh_token").GetString()!;
        // t1 presented: t0 is spent for good.
        var t2 = (await OAuthAssert.Ok(await fixture.RefreshGrantAsync(tenant, t1)))
            .GetProperty("refresh_token").GetString()!;

        var spent = await fixture.RefreshGrantAsync(tenant, t0);
        await OAuthAssert.Error(spent, HttpStatusCode.BadRequest, "invalid_grant", "Token has been revoked");
        var latest = await fixture.RefreshGrantAsync(tenant, t2);
        await OAuthAssert.Error(latest, HttpStatusCode.BadRequest, "invalid_grant", "Token has been revoked");
    }

    [Fact]
    public async Task A_lost_answer_is_replayed_byte_for_byte_within_the_grace_window()
    {
        var tenant = fixture.RotatingTenant;
        var t0 = await RotatingRefreshTokenAsync("oauth-replay");
        var first = await (await fixture.RefreshGrantAsync(tenant, t0)).Content.ReadAsStringAsync();
        var again = await fixture.RefreshGrantAsync(tenant, t0);
        var replay = await OAuthAssert.Ok(again);
        var original = JsonDocument.Parse(first).RootElement;
        Assert.Equal(original.GetProperty("access_token").GetString(), replay.GetProperty("access_token").GetString());
        Assert.Equal(original.GetProperty("refresh_token").GetString(), replay.GetProperty("refresh_token").GetString());
    }

    public static TheoryData<string, byte[]> HostileBodies() => new()
    {
        { "application/json", """{"grant_type": "password"}"""u8.ToArray() },
        { "application/x-www-form-urlencoded; charset=iso-8859-1", "grant_type=password"u8.ToArray() },
        { "application/x-www-form-urlencoded", [0x67, 0x72, 0x61, 0x6e, 0x74, 0x5f, 0x74, 0x79, 0x70, 0x65, 0x3d, 0xff, 0xfe] },
        { "application/x-www-form-urlencoded", "%%%&&&===&grant_type=%zz%"u8.ToArray() },
        { "application/x-www-form-urlencoded", "grant_type=password&username=%ED%A0%80&password=x"u8.ToArray() },
        { "application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token=%00%00.%00.%00"u8.ToArray() },
        { "application/x-www-form-urlencoded", Encoding.ASCII.GetBytes("grant_type=password&username=" + new string('u', 129) + "&password=x") },
        { "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--x--\r\n"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Malformed_bodies_are_refused_with_a_4xx_and_never_a_500(string contentType, byte[] body)
    {
        using var http = fixture.Client();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await http.PostAsync(TokenEndpoint(Default), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        {
            // Either malformed (invalid_request) or well-formed nonsense: a grant type nobody has, a user nobody is.
            var error = JsonDocument.Parse(text).RootElement;
            Assert.Contains(error.GetProperty("error").GetString(), new[] { "invalid_request", "invalid_grant", "unsupported_grant_type" });
            await OAuthAssert.Error(response, HttpStatusCode.BadRequest, error.GetProperty("error").GetString()!);
            Assert.All(error.GetProperty("error_description").GetString()!, c => Assert.InRange(c, '\x20', '\x7e'));
        }
    }

    // The token endpoint reads its body itself: anything but a UTF-8 form is an RFC 6749
    // invalid_request, in the OAuth error shape, never cached.
    [Theory]
    [InlineData("application/json", """{"grant_type": "password"}""", "The body must be application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x", "--x--", "The body must be application/x-www-form-urlencoded")]
    [InlineData("text/plain", "grant_type=password", "The body must be application/x-www-form-urlencoded")]
    [InlineData("application/x-www-form-urlencoded; charset=iso-8859-1", "grant_type=password", "The body must be UTF-8")]
    public async Task A_body_that_is_not_a_UTF8_form_is_refused(string contentType, string body, string description)
    {
        using var http = fixture.Client();
        var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await http.PostAsync(TokenEndpoint(Default), content);
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "invalid_request", description);
    }

    [Fact]
    public async Task A_body_over_16_KiB_is_413_even_without_a_Content_Length()
    {
        using var http = fixture.Client();
        var form = "grant_type=password&username=a&password=" + new string('p', 17 * 1024);
        // A stream of unknown length goes out chunked.
        var content = new StreamContent(new UnknownLengthStream(Encoding.ASCII.GetBytes(form)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        var response = await http.PostAsync(TokenEndpoint(Default), content);
        await OAuthAssert.Error(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request", "Request body exceeds the 16 KiB limit");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJ0eXBlIjoicmVmcmVzaCJ9.")]
    [InlineData("x")]
    public async Task Revocation_answers_200_for_any_token_even_garbage(string token)
    {
        var response = await fixture.PostFormAsync(RevocationEndpoint(Default), [P("token", token), P("token_type_hint", "refresh_token")]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        OAuthAssert.NotCached(response);
    }

    [Fact]
    public async Task Revocation_without_a_token_is_invalid_request()
    {
        var response = await fixture.PostFormAsync(RevocationEndpoint(Default), [P("token_type_hint", "access_token")]);
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "invalid_request", "Missing parameter: token");
    }

    /// <summary>A readable stream that does not tell its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
