using System.Net;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using static ItemPathOrleans.Tests.OAuth.OAuthFixture;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>RFC 7662 introspection: who may ask, what an active token says, and what is inactive.</summary>
[Collection(OAuthCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class IntrospectionTests(OAuthFixture fixture)
{
    private async Task<JsonElement> IntrospectAsync(string token, string tenant = Default, ApiFactory? node = null)
    {
        var bearer = await fixture.ApplicationTokenAsync(tenant);
        using var http = (node ?? fixture.Api).CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        var response = await http.PostAsync(IntrospectionEndpoint(tenant), new FormUrlEncodedContent([P("token", token)]));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        OAuthAssert.NotCached(response);
        return await OAuthAssert.Ok(response);
    }

    private async Task<JsonElement> PasswordGrantAsync(string tenant, string username, string? clientId = null)
    {
        var form = new List<KeyValuePair<string, string>> { P("grant_type", "password"), P("username", username), P("password", Password) };
        if (clientId is not null) form.Add(P("client_id", clientId));
        return await OAuthAssert.Ok(await fixture.PostFormAsync(TokenEndpoint(tenant), form));
    }

    private static void AssertInactive(JsonElement answer)
    {
        Assert.False(answer.GetProperty("active").GetBoolean());
        Assert.Single(answer.EnumerateObject());
    }

    [Fact]
    public async Task An_active_access_token_is_described_with_the_listed_fields()
    {
        var username = await fixture.CreateUserAsync(Default, "intro-access");
        var tokens = await PasswordGrantAsync(Default, username, clientId: "ledger-web");
        var access = tokens.GetProperty("access_token").GetString()!;

        var answer = await IntrospectAsync(access);
        Assert.True(answer.GetProperty("active").GetBoolean());
        Assert.Equal(JwtClaims.Claim(access, "uid"), answer.GetProperty("sub").GetString());
        Assert.Equal(username, answer.GetProperty("username").GetString());
        Assert.Equal("Bearer", answer.GetProperty("token_type").GetString());
        Assert.Equal("access_token", answer.GetProperty("token_use").GetString());
        Assert.Equal(long.Parse(JwtClaims.Claim(access, "exp")), answer.GetProperty("exp").GetInt64());
        Assert.Equal(long.Parse(JwtClaims.Claim(access, "iat")), answer.GetProperty("iat").GetInt64());
        Assert.Equal(Issuer(Default), answer.GetProperty("iss").GetString());
        Assert.Equal(Default, answer.GetProperty("tid").GetString());
        Assert.Equal(JwtClaims.Claim(access, "sid"), answer.GetProperty("sid").GetString());
        Assert.Equal("ledger-web", answer.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task Refresh_and_application_tokens_say_what_they_are_and_application_tokens_have_no_exp()
    {
        var username = await fixture.CreateUserAsync(Default, "intro-refresh");
        var refresh = (await PasswordGrantAsync(Default, username)).GetProperty("refresh_token").GetString()!;
        var answer = await IntrospectAsync(refresh);
        Assert.True(answer.GetProperty("active").GetBoolean());
        Assert.Equal("refresh_token", answer.GetProperty("token_use").GetString());
        Assert.Equal(long.Parse(JwtClaims.Claim(refresh, "exp")), answer.GetProperty("exp").GetInt64());
        // No client_id was sent: none is claimed.
        Assert.False(answer.TryGetProperty("client_id", out _));

        var application = await fixture.ApplicationTokenAsync(Default);
        var self = await IntrospectAsync(application);
        Assert.True(self.GetProperty("active").GetBoolean());
        Assert.Equal("application_token", self.GetProperty("token_use").GetString());
        Assert.False(self.TryGetProperty("exp", out _));
        Assert.Equal(JwtClaims.Claim(application, "sid"), self.GetProperty("sid").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ0eXBlIjoiYWNjZXNzIn0.")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJ0eXBlIjoiYWNjZXNzIn0.AAAA")]
    public async Task Malformed_or_forged_tokens_are_inactive(string token)
    {
        if (token.Length == 0)
        {
            using var http = fixture.Client(bearer: await fixture.ApplicationTokenAsync(Default));
            var missing = await http.PostAsync(IntrospectionEndpoint(Default), new FormUrlEncodedContent([P("token", "")]));
            await OAuthAssert.Error(missing, HttpStatusCode.BadRequest, "invalid_request", "Missing parameter: token");
            return;
        }
        AssertInactive(await IntrospectAsync(token));
    }

    [Fact]
    public async Task A_token_of_another_tenant_is_inactive_there_and_active_at_home()
    {
        var username = await fixture.CreateUserAsync(fixture.OtherTenant, "intro-other");
        var access = (await PasswordGrantAsync(fixture.OtherTenant, username)).GetProperty("access_token").GetString()!;
        AssertInactive(await IntrospectAsync(access, Default));
        Assert.True((await IntrospectAsync(access, fixture.OtherTenant)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_revoked_token_is_inactive_at_once_on_every_node_because_the_user_grain_is_asked()
    {
        var username = await fixture.CreateUserAsync(Default, "intro-revoked");
        var tokens = await PasswordGrantAsync(Default, username);
        var access = tokens.GetProperty("access_token").GetString()!;
        await using var otherNode = new ApiFactory(fixture.Cluster.Client);

        // The other node has seen the session active (its revocation cache holds that for 5 s).
        Assert.True((await IntrospectAsync(access, node: otherNode)).GetProperty("active").GetBoolean());
        using (var me = otherNode.CreateClient())
        {
            me.DefaultRequestHeaders.Authorization = new("Bearer", access);
            Assert.Equal(HttpStatusCode.OK, (await me.GetAsync("/api/users/me")).StatusCode);
        }

        // Logged out through this node, with the ItemPath endpoint.
        using (var logout = fixture.Client(Default, access))
            Assert.Equal(HttpStatusCode.NoContent, (await logout.PostAsync("/api/users/logout", null)).StatusCode);

        AssertInactive(await IntrospectAsync(access, node: otherNode));
        AssertInactive(await IntrospectAsync(tokens.GetProperty("refresh_token").GetString()!, node: otherNode));
    }

    [Fact]
    public async Task A_spent_refresh_token_is_inactive_while_its_successor_is_active()
    {
        var tenant = fixture.RotatingTenant;
        var username = await fixture.CreateUserAsync(tenant, "intro-spent");
        var t0 = (await PasswordGrantAsync(tenant, username)).GetProperty("refresh_token").GetString()!;
        var next = await OAuthAssert.Ok(await fixture.RefreshGrantAsync(tenant, t0));
        var t1 = next.GetProperty("refresh_token").GetString()!;

        AssertInactive(await IntrospectAsync(t0, tenant));
        Assert.True((await IntrospectAsync(t1, tenant)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Callers_without_an_application_token_are_401()
    {
        var username = await fixture.CreateUserAsync(Default, "intro-caller");
        var tokens = await PasswordGrantAsync(Default, username);
        var form = () => new FormUrlEncodedContent([P("token", tokens.GetProperty("access_token").GetString()!)]);

        using (var anonymous = fixture.Client())
        {
            var response = await anonymous.PostAsync(IntrospectionEndpoint(Default), form());
            await OAuthAssert.Error(response, HttpStatusCode.Unauthorized, "invalid_request", "Missing Authorization Header");
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        }

        (string Bearer, string Description)[] refused =
        [
            (tokens.GetProperty("access_token").GetString()!, "Only application tokens may introspect"),
            (tokens.GetProperty("refresh_token").GetString()!, "Only non-refresh tokens are allowed"),
            ("garbage", "Invalid token"),
        ];
        foreach (var (bearer, description) in refused)
        {
            using var http = fixture.Client(bearer: bearer);
            var response = await http.PostAsync(IntrospectionEndpoint(Default), form());
            await OAuthAssert.Error(response, HttpStatusCode.Unauthorized, "invalid_token", description);
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter);
        }

        // An application token of another tenant is no caller here.
        using var foreign = fixture.Client(bearer: await fixture.ApplicationTokenAsync(fixture.OtherTenant));
        await OAuthAssert.Error(await foreign.PostAsync(IntrospectionEndpoint(Default), form()), HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Logging_out_through_the_ItemPath_endpoint_makes_the_token_endpoint_refuse_the_refresh_token()
    {
        var username = await fixture.CreateUserAsync(Default, "intro-logout");
        var tokens = await PasswordGrantAsync(Default, username);
        using (var logout = fixture.Client(Default, tokens.GetProperty("refresh_token").GetString()))
            Assert.Equal(HttpStatusCode.NoContent, (await logout.PostAsync("/api/users/logout", null)).StatusCode);

        var refused = await fixture.RefreshGrantAsync(Default, tokens.GetProperty("refresh_token").GetString()!);
        await OAuthAssert.Error(refused, HttpStatusCode.BadRequest, "invalid_grant", "Token has been revoked");
        AssertInactive(await IntrospectAsync(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Revoking_through_OAuth_makes_the_ItemPath_refresh_refuse_and_ItemPath_tokens_revoke_through_OAuth()
    {
        var username = await fixture.CreateUserAsync(Default, "intro-cross");
        // An ItemPath login's refresh token, revoked through RFC 7009.
        var login = await fixture.ItemPathLoginAsync(Default, username);
        var refresh = login.GetProperty("refreshToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await fixture.RevokeAsync(Default, refresh)).StatusCode);
        using (var http = fixture.Client(Default, refresh))
            await HttpAssert.InvalidToken(await http.PostAsync("/api/users/refresh", null), "Token has been revoked");

        // Revoking an access token ends its session too.
        var other = await fixture.ItemPathLoginAsync(Default, username);
        Assert.Equal(HttpStatusCode.OK, (await fixture.RevokeAsync(Default, other.GetProperty("accessToken").GetString()!)).StatusCode);
        using (var http = fixture.Client(Default, other.GetProperty("refreshToken").GetString()))
            await HttpAssert.InvalidToken(await http.PostAsync("/api/users/refresh", null), "Token has been revoked");

        // The user's sessions list no longer shows them.
        var third = await fixture.ItemPathLoginAsync(Default, username);
        using var me = fixture.Client(Default, third.GetProperty("accessToken").GetString());
        var sessions = await HttpAssert.Ok(await me.GetAsync("/api/users/me/sessions"));
        Assert.Equal(1, sessions.GetProperty("total").GetInt32());
    }
}
