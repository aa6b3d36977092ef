using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.OAuth;
using ItemPathOrleans.Tests.OpenId;
using Microsoft.AspNetCore.WebUtilities;

namespace ItemPathOrleans.Tests.Console;

/// <summary>
/// The console's built-in client <c>itempath-console</c>: every tenant has it without a step, it
/// signs users in with the code flow and PKCE at the console's own redirect URI only, its refresh
/// token rotates, and the client API shows it but never changes or deletes it.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
[Collection(OAuthCollection.Name)]
public sealed class ConsoleClientTests(OAuthFixture fixture)
{
    private static string Callback(string tenant) => OAuthFixture.Issuer(tenant) + "/console/callback";

    private static Dictionary<string, string?> Request(string tenant, string verifier, string? redirectUri = null) => new()
    {
        ["response_type"] = "code",
        ["client_id"] = ConsoleClient.ClientId,
        ["redirect_uri"] = redirectUri ?? Callback(tenant),
        ["scope"] = "openid profile email offline_access",
        ["state"] = "st-" + Guid.NewGuid().ToString("N"),
        ["nonce"] = "n-" + Guid.NewGuid().ToString("N"),
        ["code_challenge"] = CodeFlow.Challenge(verifier),
        ["code_challenge_method"] = "S256",
    };

    /// <summary>A new user of <paramref name="tenant"/> signs in to the console in a new browser: the token answer and the browser.</summary>
    private async Task<(JsonElement Tokens, HttpClient Browser)> SignInAsync(string tenant)
    {
        var flow = new CodeFlow(fixture, tenant);
        var username = await fixture.CreateUserAsync(tenant, "console");
        var browser = fixture.Browser();
        var verifier = CodeFlow.NewVerifier();
        var request = Request(tenant, verifier);
        var signedIn = await flow.SignInAsync(browser, await flow.AuthorizeAsync(browser, request), username);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var location = signedIn.Headers.Location!.ToString();
        Assert.StartsWith(Callback(tenant) + "?", location, StringComparison.Ordinal);
        var answer = QueryHelpers.ParseQuery(new Uri(location).Query);
        Assert.Equal(request["state"], answer["state"].ToString());
        var tokens = await HttpAssert.Ok(await flow.RedeemAsync(ConsoleClient.ClientId, answer["code"].ToString(), verifier, Callback(tenant)));
        return (tokens, browser);
    }

    private Task<HttpResponseMessage> RefreshAsync(string tenant, string refreshToken) =>
        fixture.PostFormAsync(OAuthFixture.TokenEndpoint(tenant),
            [OAuthFixture.P("grant_type", "refresh_token"), OAuthFixture.P("refresh_token", refreshToken), OAuthFixture.P("client_id", ConsoleClient.ClientId)]);

    [Fact]
    public async Task Every_tenant_signs_users_in_to_the_console_without_registering_a_client()
    {
        foreach (var tenant in new[] { OAuthFixture.Default, fixture.OtherTenant })
        {
            var (tokens, browser) = await SignInAsync(tenant);
            using var _ = browser;
            var access = tokens.GetProperty("access_token").GetString()!;
            Assert.Equal(ConsoleClient.ClientId, CodeFlow.Payload(access).GetProperty("client_id").GetString());
            Assert.Equal(ConsoleClient.ClientId, CodeFlow.Payload(tokens.GetProperty("id_token").GetString()!).GetProperty("aud").GetString());

            // The access token is the API's: the console calls /api with it, in its own tenant.
            using (var api = fixture.Client(tenant, access))
                Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/users/me")).StatusCode);

            // A public client's refresh token rotates, and the next one goes on.
            var refresh = tokens.GetProperty("refresh_token").GetString()!;
            var next = (await HttpAssert.Ok(await RefreshAsync(tenant, refresh))).GetProperty("refresh_token").GetString()!;
            Assert.NotEqual(refresh, next);
            Assert.NotEqual(next, (await HttpAssert.Ok(await RefreshAsync(tenant, next))).GetProperty("refresh_token").GetString());
        }
    }

    [Theory]
    [InlineData("/console/callback/")]
    [InlineData("/console/callback?x=1")]
    [InlineData("/console")]
    [InlineData("/other")]
    public async Task Only_the_consoles_own_callback_under_the_tenants_issuer_is_a_redirect_uri(string path)
    {
        using var browser = fixture.Browser();
        var request = Request(OAuthFixture.Default, CodeFlow.NewVerifier(), OAuthFixture.Issuer(OAuthFixture.Default) + path);
        var answer = await new CodeFlow(fixture).AuthorizeAsync(browser, request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
        Assert.Contains("The redirect URI is not one the client registered.", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_tenants_console_callback_is_not_a_redirect_uri()
    {
        using var browser = fixture.Browser();
        var request = Request(OAuthFixture.Default, CodeFlow.NewVerifier(), Callback(fixture.OtherTenant));
        var answer = await new CodeFlow(fixture).AuthorizeAsync(browser, request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
    }

    [Fact]
    public async Task Sign_out_returns_to_the_consoles_signed_out_page_and_ends_its_tokens()
    {
        var tenant = OAuthFixture.Default;
        var (tokens, browser) = await SignInAsync(tenant);
        using var _ = browser;
        var signedOut = OAuthFixture.Issuer(tenant) + "/console/signed-out";
        var logout = await browser.GetAsync(QueryHelpers.AddQueryString(OAuthFixture.Issuer(tenant) + "/oauth/logout", new Dictionary<string, string?>
        {
            ["id_token_hint"] = tokens.GetProperty("id_token").GetString(),
            ["client_id"] = ConsoleClient.ClientId,
            ["post_logout_redirect_uri"] = signedOut,
        }));

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(signedOut, logout.Headers.Location!.ToString());
        await OAuthAssert.Error(await RefreshAsync(tenant, tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task The_client_api_shows_the_console_client_but_never_lists_changes_or_deletes_it()
    {
        var tenant = fixture.OtherTenant;
        using var admin = fixture.Client(tenant, fixture.AdminToken(tenant));
        const string path = "/api/clients/" + ConsoleClient.ClientId;

        var shown = await HttpAssert.Ok(await admin.GetAsync(path));
        Assert.True(shown.GetProperty("builtIn").GetBoolean());
        Assert.Equal("public", shown.GetProperty("type").GetString());
        Assert.Equal("none", shown.GetProperty("tokenEndpointAuthMethod").GetString());
        Assert.Equal(["authorization_code", "refresh_token"], shown.GetProperty("grantTypes").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal([Callback(tenant)], shown.GetProperty("redirectUris").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal([OAuthFixture.Issuer(tenant) + "/console/signed-out"], shown.GetProperty("postLogoutRedirectUris").EnumerateArray().Select(u => u.GetString()));

        await HttpAssert.Problem(await admin.PatchAsync(path, JsonContent.Create(new { redirectUris = new[] { "https://evil.example/cb" } })),
            HttpStatusCode.Conflict, ConsoleClient.Unchangeable);
        await HttpAssert.Problem(await admin.PostAsJsonAsync(path, new { disabled = true }), HttpStatusCode.Conflict, ConsoleClient.Unchangeable);
        await HttpAssert.Problem(await admin.DeleteAsync(path), HttpStatusCode.Conflict, ConsoleClient.Unchangeable);
        await HttpAssert.Problem(await admin.PostAsync(path + "/secrets", null), HttpStatusCode.Conflict, ConsoleClient.Unchangeable);
        await HttpAssert.Problem(await admin.DeleteAsync(path + "/secrets/abc"), HttpStatusCode.Conflict, ConsoleClient.Unchangeable);
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/clients", new
        {
            clientId = ConsoleClient.ClientId, name = "Mine now", type = "public", tokenEndpointAuthMethod = "none",
            grantTypes = new[] { "authorization_code" }, redirectUris = new[] { "https://evil.example/cb" },
        }), HttpStatusCode.Conflict, "Client already exists");

        // Still as built: the console signs in, and the list holds registered clients only.
        Assert.Equal([Callback(tenant)], (await HttpAssert.Ok(await admin.GetAsync(path))).GetProperty("redirectUris").EnumerateArray().Select(u => u.GetString()));
        var list = await HttpAssert.Ok(await admin.GetAsync("/api/clients?limit=1000"));
        Assert.DoesNotContain(list.GetProperty("clients").EnumerateArray(), c => c.GetProperty("clientId").GetString() == ConsoleClient.ClientId);
        var (tokens, browser) = await SignInAsync(tenant);
        browser.Dispose();
        Assert.True(tokens.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Other_clients_answers_carry_no_builtIn_field()
    {
        var clientId = await new CodeFlow(fixture).RegisterClientAsync();
        using var admin = fixture.Client(OAuthFixture.Default, fixture.AdminToken(OAuthFixture.Default));
        var shown = await HttpAssert.Ok(await admin.GetAsync($"/api/clients/{clientId}"));
        Assert.False(shown.TryGetProperty("builtIn", out _));
    }
}
