using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.Sso;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace ItemPathOrleans.Tests.OpenId;

/// <summary>
/// "Sign in with Microsoft" on the hosted sign-in page, end to end: a browser (cookies kept,
/// redirects looked at one by one) starts an authorization, clicks the button, goes through the
/// Entra double (which signs its configured person in at once) and back to the callback, whose
/// code this service redeems at the double's token endpoint; the client then redeems its own code.
/// </summary>
[Collection(SsoCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class MicrosoftSignInTests(SsoFixture fixture) : IAsyncLifetime
{
    private const string Button = "Sign in with Microsoft";
    private const string FailedMessage = "We could not sign you in with Microsoft.";

    private EntraDouble _entra = null!;
    private string _tenant = null!;
    private string _clientId = null!;
    private readonly string _tid = Guid.NewGuid().ToString();

    public async Task InitializeAsync()
    {
        _entra = await EntraDouble.StartAsync();
        _entra.Clock = fixture.Time;
        _tenant = await fixture.CreateTenantAsync("ms");
        await fixture.ConfigureSsoAsync(_tenant, Sso(EntraDouble.ClientSecret));
        _clientId = await RegisterClientAsync(_tenant);
    }

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    private string Issuer => IssuerOf(_tenant);

    private static string IssuerOf(string tenant) => $"{TestSettings.Issuer}/{tenant}";

    private Dictionary<string, object?> Sso(string? clientSecret, bool autoProvision = false)
    {
        var sso = new Dictionary<string, object?>
        {
            ["authority"] = _entra.Authority,
            ["clientId"] = EntraDouble.ClientId,
            ["entraTenantIds"] = new[] { _tid },
            ["autoProvision"] = autoProvision,
        };
        if (clientSecret is not null) sso["clientSecret"] = clientSecret;
        return sso;
    }

    private async Task<string> RegisterClientAsync(string tenant)
    {
        using var admin = fixture.Client(tenant, await fixture.TenantAdminTokenAsync(tenant));
        var created = await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/clients", new
        {
            name = "Stations portal",
            type = "public",
            grantTypes = new[] { "authorization_code", "refresh_token" },
            tokenEndpointAuthMethod = "none",
            allowedScopes = new[] { "openid", "profile", "email", "offline_access" },
            redirectUris = new[] { CodeFlow.RedirectUri },
        }), HttpStatusCode.Created);
        return created.GetProperty("clientId").GetString()!;
    }

    private HttpClient Browser() => fixture.Api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private Dictionary<string, string?> AuthorizeParameters(string verifier, string? clientId = null) => new()
    {
        ["response_type"] = "code",
        ["client_id"] = clientId ?? _clientId,
        ["redirect_uri"] = CodeFlow.RedirectUri,
        ["scope"] = "openid profile email",
        ["state"] = "st-" + Guid.NewGuid().ToString("N"),
        ["nonce"] = "n-" + Guid.NewGuid().ToString("N"),
        ["code_challenge"] = CodeFlow.Challenge(verifier),
        ["code_challenge_method"] = "S256",
    };

    /// <summary>An authorization in <paramref name="browser"/>, redirected to the sign-in page: the page.</summary>
    private static async Task<HttpResponseMessage> SignInPageAsync(HttpClient browser, string issuer, Dictionary<string, string?> request)
    {
        var toLogin = await browser.GetAsync(QueryHelpers.AddQueryString(issuer + "/oauth/authorize", request));
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        var page = await browser.GetAsync(new Uri(new Uri(issuer), toLogin.Headers.Location!));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return page;
    }

    /// <summary>The button's form posted, as a browser does: the hidden fields of the page, to the button's action.</summary>
    private async Task<HttpResponseMessage> ClickMicrosoftAsync(HttpClient browser, HttpResponseMessage page)
    {
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains(Button, html, StringComparison.Ordinal);
        Assert.Contains($"action=\"/{_tenant}/login/microsoft\"", html, StringComparison.Ordinal);
        return await CodeFlow.PostFormAsync(browser, html, Issuer + "/login/microsoft", new());
    }

    /// <summary>The browser at Entra: the double's redirect back, i.e. the callback address with its code (or error) and state.</summary>
    private static async Task<Uri> ThroughEntraAsync(HttpResponseMessage toEntra)
    {
        Assert.Equal(HttpStatusCode.Redirect, toEntra.StatusCode);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var back = await http.GetAsync(toEntra.Headers.Location!);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        return back.Headers.Location!;
    }

    private async Task<Uri> StartAsync(HttpClient browser, string verifier) =>
        await ThroughEntraAsync(await ClickMicrosoftAsync(browser, await SignInPageAsync(browser, Issuer, AuthorizeParameters(verifier))));

    private static Uri WithParameter(Uri uri, string name, string value)
    {
        var query = QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        query[name] = value;
        return new Uri(QueryHelpers.AddQueryString(uri.GetLeftPart(UriPartial.Path), query));
    }

    private async Task<JsonElement> CreateUserAsync(string username) => await fixture.CreateUserAsync(_tenant, username);

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)] + "@contoso.example";

    private async Task<string> FailedSignInPageAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(FailedMessage, html, StringComparison.Ordinal);
        // The page to try again: the password form and the button, nothing sent to the client.
        Assert.Contains("name=\"password\"", html, StringComparison.Ordinal);
        Assert.Contains(Button, html, StringComparison.Ordinal);
        return html;
    }

    [Fact]
    public async Task A_user_signs_in_with_Microsoft_and_the_client_gets_tokens_naming_the_user_linked_to_that_account()
    {
        var username = Unique("alice");
        await CreateUserAsync(username);
        var oid = Guid.NewGuid().ToString();
        _entra.SignedIn = new EntraDouble.Person(_tid, oid, username);
        using var browser = Browser();
        var verifier = CodeFlow.NewVerifier();
        var request = AuthorizeParameters(verifier);

        var page = await SignInPageAsync(browser, Issuer, request);
        // The button's post redirects to Entra: the page's CSP lets the form go there.
        var origin = new Uri(_entra.Authority).GetLeftPart(UriPartial.Authority);
        Assert.Contains($"form-action 'self' http://127.0.0.1:7777 {origin};", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var toEntra = await ClickMicrosoftAsync(browser, page);
        Assert.Equal(HttpStatusCode.Redirect, toEntra.StatusCode);
        Assert.StartsWith(_entra.BaseUrl + "/organizations/oauth2/v2.0/authorize?", toEntra.Headers.Location!.ToString(), StringComparison.Ordinal);
        var callback = await ThroughEntraAsync(toEntra);
        var sent = _entra.LastAuthorizeRequest;
        Assert.Equal(EntraDouble.ClientId, sent["client_id"]);
        Assert.Equal("code", sent["response_type"]);
        Assert.Equal(Issuer + "/login/microsoft/callback", sent["redirect_uri"]);
        Assert.Equal("query", sent["response_mode"]);
        Assert.Equal("openid profile email", sent["scope"]);
        Assert.Equal("S256", sent["code_challenge_method"]);
        Assert.False(sent.ContainsKey("prompt"));
        // Fresh values of this service's own, none of the client's.
        Assert.NotEqual(request["state"], sent["state"]);
        Assert.NotEqual(request["nonce"], sent["nonce"]);
        Assert.NotEqual(request["code_challenge"], sent["code_challenge"]);
        Assert.StartsWith(Issuer + "/login/microsoft/callback?", callback.ToString(), StringComparison.Ordinal);

        var answer = CodeFlow.RedirectParameters(await browser.GetAsync(callback));
        Assert.Equal(request["state"], answer["state"]);
        Assert.Equal(Issuer, answer["iss"]);
        Assert.Equal(1, _entra.TokenRequests);

        var tokens = await HttpAssert.Ok(await RedeemAsync(answer["code"], verifier));
        var id = CodeFlow.Payload(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal(username, id.GetProperty("preferred_username").GetString());
        Assert.Equal(request["nonce"], id.GetProperty("nonce").GetString());
        using (var api = fixture.Client(_tenant, tokens.GetProperty("access_token").GetString()))
        {
            var userinfo = await HttpAssert.Ok(await api.GetAsync(Issuer + "/oauth/userinfo"));
            Assert.Equal(username, userinfo.GetProperty("preferred_username").GetString());
            Assert.Equal(id.GetProperty("sub").GetString(), userinfo.GetProperty("sub").GetString());
            // The browser session is a web session of the user, listed like any.
            var sessions = await HttpAssert.Ok(await api.GetAsync("/api/users/me/sessions"));
            Assert.Contains(sessions.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("kind").GetString() == "web");
        }

        // The browser is signed in now: the next authorization needs no page.
        var again = CodeFlow.RedirectParameters(await browser.GetAsync(QueryHelpers.AddQueryString(Issuer + "/oauth/authorize", AuthorizeParameters(CodeFlow.NewVerifier()))));
        Assert.True(again.ContainsKey("code"));

        // The account is linked: the same Entra identity is this user under any name from now on.
        _entra.SignedIn = new EntraDouble.Person(_tid, oid, "renamed@contoso.example");
        using var second = Browser();
        var secondVerifier = CodeFlow.NewVerifier();
        var secondAnswer = CodeFlow.RedirectParameters(await second.GetAsync(await StartAsync(second, secondVerifier)));
        var secondTokens = await HttpAssert.Ok(await RedeemAsync(secondAnswer["code"], secondVerifier));
        Assert.Equal(username, CodeFlow.Payload(secondTokens.GetProperty("id_token").GetString()!).GetProperty("preferred_username").GetString());
    }

    private async Task<HttpResponseMessage> RedeemAsync(string code, string verifier)
    {
        using var http = fixture.Client();
        return await http.PostAsync(Issuer + "/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = _clientId,
            ["code"] = code,
            ["redirect_uri"] = CodeFlow.RedirectUri,
            ["code_verifier"] = verifier,
        }));
    }

    [Fact]
    public async Task The_button_shows_only_where_the_tenant_has_sso_with_a_client_secret()
    {
        using var browser = Browser();
        var withSecret = await (await SignInPageAsync(browser, Issuer, AuthorizeParameters(CodeFlow.NewVerifier()))).Content.ReadAsStringAsync();
        Assert.Contains(Button, withSecret, StringComparison.Ordinal);

        // A tenant without sso: a password form alone, and the button's address refuses to start.
        var plain = await fixture.CreateTenantAsync("plain");
        var plainClient = await RegisterClientAsync(plain);
        var page = await SignInPageAsync(browser, IssuerOf(plain), AuthorizeParameters(CodeFlow.NewVerifier(), plainClient));
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Button, html, StringComparison.Ordinal);
        Assert.Contains("name=\"password\"", html, StringComparison.Ordinal);
        Assert.Contains("form-action 'self' http://127.0.0.1:7777;", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var refused = await CodeFlow.PostFormAsync(browser, html, IssuerOf(plain) + "/login/microsoft", new());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Sign in with Microsoft is not available for this organization.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Sso without a client secret (an app registered for MSAL alone): no button either.
        await fixture.ConfigureSsoAsync(plain, Sso(clientSecret: null));
        var noSecret = await (await SignInPageAsync(browser, IssuerOf(plain), AuthorizeParameters(CodeFlow.NewVerifier(), plainClient))).Content.ReadAsStringAsync();
        Assert.DoesNotContain(Button, noSecret, StringComparison.Ordinal);
        await fixture.ConfigureSsoAsync(plain, Sso(EntraDouble.ClientSecret));
        var withOne = await (await SignInPageAsync(browser, IssuerOf(plain), AuthorizeParameters(CodeFlow.NewVerifier(), plainClient))).Content.ReadAsStringAsync();
        Assert.Contains(Button, withOne, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_state_is_refused_and_a_state_is_good_once_in_the_browser_that_started_it()
    {
        var username = Unique("bob");
        await CreateUserAsync(username);
        _entra.SignedIn = new EntraDouble.Person(_tid, Guid.NewGuid().ToString(), username);

        // Tampered: an error page, no redirect to the client, no code redeemed at Entra.
        using (var browser = Browser())
        {
            var callback = await StartAsync(browser, CodeFlow.NewVerifier());
            var state = QueryHelpers.ParseQuery(callback.Query)["state"].ToString();
            var tampered = await browser.GetAsync(WithParameter(callback, "state", state[..^2] + (state[^2..] == "AA" ? "AB" : "AA")));
            Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
            Assert.Contains("has expired or was already used", await tampered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            // The state was taken by that attempt: the genuine answer is refused after it.
            Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync(callback)).StatusCode);
        }
        Assert.Equal(0, _entra.TokenRequests);

        // Another browser with a genuine callback address (a link an attacker sends): refused.
        using (var started = Browser())
        using (var other = Browser())
        {
            var callback = await StartAsync(started, CodeFlow.NewVerifier());
            var elsewhere = await other.GetAsync(callback);
            Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
            Assert.Equal(0, _entra.TokenRequests);
        }

        // Replayed: the first callback signs in, the same one again is refused.
        using (var browser = Browser())
        {
            var callback = await StartAsync(browser, CodeFlow.NewVerifier());
            CodeFlow.RedirectParameters(await browser.GetAsync(callback));
            var replay = await browser.GetAsync(callback);
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
            Assert.Null(replay.Headers.Location);
            Assert.Equal(1, _entra.TokenRequests);
        }
    }

    [Fact]
    public async Task An_id_token_whose_nonce_is_not_the_one_sent_is_refused()
    {
        var username = Unique("carol");
        await CreateUserAsync(username);
        _entra.SignedIn = new EntraDouble.Person(_tid, Guid.NewGuid().ToString(), username);
        _entra.AlterIdToken = claims => claims["nonce"] = "n-of-another-sign-in";
        using var browser = Browser();
        await FailedSignInPageAsync(await browser.GetAsync(await StartAsync(browser, CodeFlow.NewVerifier())), HttpStatusCode.Unauthorized);

        // Without a nonce at all: refused too.
        _entra.AlterIdToken = claims => claims.Remove("nonce");
        await FailedSignInPageAsync(await browser.GetAsync(await StartAsync(browser, CodeFlow.NewVerifier())), HttpStatusCode.Unauthorized);
        Assert.Equal(2, _entra.TokenRequests);
    }

    [Fact]
    public async Task Entra_answering_access_denied_shows_the_sign_in_page_again_with_a_message()
    {
        _entra.SignedIn = null;
        using var browser = Browser();
        var callback = await StartAsync(browser, CodeFlow.NewVerifier());
        Assert.Equal("access_denied", QueryHelpers.ParseQuery(callback.Query)["error"].ToString());
        var html = await FailedSignInPageAsync(await browser.GetAsync(callback), HttpStatusCode.Unauthorized);
        // Entra's own words are not shown (nor reflected).
        Assert.DoesNotContain("AADSTS", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Equal(0, _entra.TokenRequests);
    }

    [Fact]
    public async Task A_person_of_an_Entra_tenant_that_the_tenant_does_not_accept_is_refused()
    {
        var username = Unique("mallory");
        await CreateUserAsync(username);
        _entra.SignedIn = new EntraDouble.Person(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), username);
        using var browser = Browser();
        await FailedSignInPageAsync(await browser.GetAsync(await StartAsync(browser, CodeFlow.NewVerifier())), HttpStatusCode.Unauthorized);
        // No browser session came of it.
        var next = await browser.GetAsync(QueryHelpers.AddQueryString(Issuer + "/oauth/authorize", AuthorizeParameters(CodeFlow.NewVerifier())));
        Assert.StartsWith($"/{_tenant}/login?", next.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deactivated_user_is_refused()
    {
        var username = Unique("dave");
        var user = await CreateUserAsync(username);
        using (var admin = fixture.Client(_tenant, await fixture.TenantAdminTokenAsync(_tenant)))
            await HttpAssert.Ok(await admin.PatchAsJsonAsync($"/api/users/{user.GetProperty("id").GetInt32()}", new { status = 2 }));
        _entra.SignedIn = new EntraDouble.Person(_tid, Guid.NewGuid().ToString(), username);
        using var browser = Browser();
        await FailedSignInPageAsync(await browser.GetAsync(await StartAsync(browser, CodeFlow.NewVerifier())), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_unknown_person_is_refused_without_auto_provisioning_and_created_with_it()
    {
        var username = Unique("erin");
        _entra.SignedIn = new EntraDouble.Person(_tid, Guid.NewGuid().ToString(), username);
        using var browser = Browser();
        await FailedSignInPageAsync(await browser.GetAsync(await StartAsync(browser, CodeFlow.NewVerifier())), HttpStatusCode.Unauthorized);

        // Changing sso without naming the secret keeps it: the button still works.
        await fixture.ConfigureSsoAsync(_tenant, Sso(clientSecret: null, autoProvision: true));
        var verifier = CodeFlow.NewVerifier();
        var answer = CodeFlow.RedirectParameters(await browser.GetAsync(await StartAsync(browser, verifier)));
        var tokens = await HttpAssert.Ok(await RedeemAsync(answer["code"], verifier));
        Assert.Equal(username, CodeFlow.Payload(tokens.GetProperty("id_token").GetString()!).GetProperty("preferred_username").GetString());
    }

    [Fact]
    public async Task Entra_out_of_reach_gives_a_page_that_says_try_again()
    {
        using var browser = Browser();
        _entra.SignedIn = new EntraDouble.Person(_tid, Guid.NewGuid().ToString(), Unique("frank"));
        var callback = await StartAsync(browser, CodeFlow.NewVerifier());

        // Down between the redirect and the callback: the code cannot be redeemed.
        _entra.Down = true;
        var answer = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.True(answer.Headers.RetryAfter is not null);
        Assert.Contains("try again", await answer.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // Down before the start, in a tenant whose authority this API has not fetched yet: no metadata, the same page.
        await using var down = await EntraDouble.StartAsync();
        down.Down = true;
        var tenant = await fixture.CreateTenantAsync("msdown");
        await fixture.ConfigureSsoAsync(tenant, new { authority = down.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { _tid }, clientSecret = EntraDouble.ClientSecret });
        var client = await RegisterClientAsync(tenant);
        var page = await SignInPageAsync(browser, IssuerOf(tenant), AuthorizeParameters(CodeFlow.NewVerifier(), client));
        var start = await CodeFlow.PostFormAsync(browser, await page.Content.ReadAsStringAsync(), IssuerOf(tenant) + "/login/microsoft", new());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, start.StatusCode);
        Assert.True(start.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task A_client_asking_for_a_fresh_sign_in_gets_one_at_Entra_too()
    {
        using var browser = Browser();
        var request = AuthorizeParameters(CodeFlow.NewVerifier());
        request["prompt"] = "login";
        request["login_hint"] = "grace@contoso.example";
        var toEntra = await ClickMicrosoftAsync(browser, await SignInPageAsync(browser, Issuer, request));
        var sent = QueryHelpers.ParseQuery(toEntra.Headers.Location!.Query);
        Assert.Equal("login", sent["prompt"].ToString());
        Assert.Equal("grace@contoso.example", sent["login_hint"].ToString());
    }
}
