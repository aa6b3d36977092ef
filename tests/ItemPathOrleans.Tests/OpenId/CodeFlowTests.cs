using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.OAuth;

namespace ItemPathOrleans.Tests.OpenId;

[Trait(TestCategory.Name, TestCategory.Http)]
[Collection(OAuthCollection.Name)]
public sealed class CodeFlowTests(OAuthFixture fixture)
{
    private readonly CodeFlow _flow = new(fixture);

    [Fact]
    public async Task A_public_client_signs_a_user_in_with_pkce_and_its_tokens_call_the_api_refresh_and_end_with_sign_out()
    {
        var clientId = await _flow.RegisterClientAsync();
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc");
        using var browser = fixture.Browser();
        var verifier = CodeFlow.NewVerifier();
        var request = _flow.AuthorizeParameters(clientId, verifier);

        var toLogin = await _flow.AuthorizeAsync(browser, request);
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        Assert.StartsWith("/default/login?", toLogin.Headers.Location!.ToString(), StringComparison.Ordinal);
        var page = await browser.GetAsync(new Uri(new Uri(_flow.Issuer), toLogin.Headers.Location!));
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("name=\"username\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var answer = CodeFlow.RedirectParameters(await _flow.SignInAsync(browser, toLogin, username));
        Assert.Equal(request["state"], answer["state"]);
        Assert.Equal(_flow.Issuer, answer["iss"]);

        var tokens = await HttpAssert.Ok(await _flow.RedeemAsync(clientId, answer["code"], verifier));
        var access = tokens.GetProperty("access_token").GetString()!;
        var idToken = tokens.GetProperty("id_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal("openid profile email offline_access", tokens.GetProperty("scope").GetString());

        Assert.Equal("at+jwt", CodeFlow.Header(access).GetProperty("typ").GetString());
        Assert.Equal(clientId, CodeFlow.Payload(access).GetProperty("client_id").GetString());
        var id = CodeFlow.Payload(idToken);
        Assert.Equal("RS256", CodeFlow.Header(idToken).GetProperty("alg").GetString());
        Assert.Equal(clientId, id.GetProperty("aud").GetString());
        Assert.Equal(request["nonce"], id.GetProperty("nonce").GetString());
        Assert.Equal(_flow.Issuer, id.GetProperty("iss").GetString());
        Assert.Equal(username, id.GetProperty("preferred_username").GetString());
        Assert.True(id.TryGetProperty("at_hash", out _));

        // The access token is an ItemPath access token: the API takes it.
        using (var api = fixture.Client(bearer: access))
        {
            Assert.Equal(username, (await HttpAssert.Ok(await api.GetAsync("/api/users/me"))).GetProperty("username").GetString());
            var userinfo = await HttpAssert.Ok(await api.GetAsync(_flow.Issuer + "/oauth/userinfo"));
            Assert.Equal(id.GetProperty("sub").GetString(), userinfo.GetProperty("sub").GetString());
            Assert.Equal(username, userinfo.GetProperty("preferred_username").GetString());
        }

        // A public client's refresh always rotates, and only that client redeems it.
        var other = await _flow.RegisterClientAsync();
        await OAuthAssert.Error(await RefreshAsync(other, refresh), HttpStatusCode.BadRequest, "invalid_grant");
        using (var itemPath = fixture.Client(bearer: refresh))
            Assert.Equal(HttpStatusCode.Unauthorized, (await itemPath.PostAsync("/api/users/refresh", null)).StatusCode);
        var refreshed = await HttpAssert.Ok(await RefreshAsync(clientId, refresh));
        var next = refreshed.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(refresh, next);
        Assert.Equal("at+jwt", CodeFlow.Header(refreshed.GetProperty("access_token").GetString()!).GetProperty("typ").GetString());

        // The browser is signed in: the next authorization needs no password.
        var again = CodeFlow.RedirectParameters(await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier())));
        Assert.True(again.ContainsKey("code"));

        // Sign-out with the ID token as hint: back to the registered URI, the browser session and its tokens end.
        var logout = await browser.GetAsync($"{_flow.Issuer}/oauth/logout?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString(CodeFlow.PostLogoutUri)}&state=bye");
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(CodeFlow.PostLogoutUri + "?state=bye", logout.Headers.Location!.ToString());
        await OAuthAssert.Error(await RefreshAsync(clientId, next), HttpStatusCode.BadRequest, "invalid_grant");
        var afterwards = await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier()));
        Assert.StartsWith("/default/login?", afterwards.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_code_is_redeemed_once_and_a_replay_ends_what_the_first_redemption_gave()
    {
        var clientId = await _flow.RegisterClientAsync();
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc");
        using var browser = fixture.Browser();
        var verifier = CodeFlow.NewVerifier();
        var answer = CodeFlow.RedirectParameters(await _flow.SignInAsync(browser, await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, verifier)), username));

        var first = await HttpAssert.Ok(await _flow.RedeemAsync(clientId, answer["code"], verifier));
        await OAuthAssert.Error(await _flow.RedeemAsync(clientId, answer["code"], verifier), HttpStatusCode.BadRequest, "invalid_grant");
        await OAuthAssert.Error(await RefreshAsync(clientId, first.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        var introspected = await HttpAssert.Ok(await fixture.PostFormAsync(OAuthFixture.IntrospectionEndpoint(OAuthFixture.Default),
            [OAuthFixture.P("token", first.GetProperty("access_token").GetString()!)], bearer: await fixture.ApplicationTokenAsync(OAuthFixture.Default)));
        Assert.False(introspected.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_disabled_client_takes_the_users_tokens_it_got_with_it()
    {
        var clientId = await _flow.RegisterClientAsync();
        var (tokens, browser, _, _) = await _flow.SignInNewUserAsync(clientId);
        browser.Dispose();
        var access = tokens.GetProperty("access_token").GetString()!;
        var resourceServer = await fixture.ApplicationTokenAsync(OAuthFixture.Default);
        async Task<bool> ActiveAsync() => (await HttpAssert.Ok(await fixture.PostFormAsync(OAuthFixture.IntrospectionEndpoint(OAuthFixture.Default),
            [OAuthFixture.P("token", access)], bearer: resourceServer))).GetProperty("active").GetBoolean();
        Assert.True(await ActiveAsync());

        using var admin = fixture.Client(OAuthFixture.Default, fixture.AdminToken(OAuthFixture.Default));
        await HttpAssert.Ok(await admin.PatchAsync($"/api/clients/{clientId}", JsonContent.Create(new { disabled = true })));
        Assert.False(await ActiveAsync());
        await OAuthAssert.Error(await RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Concurrent_redemptions_of_one_code_give_tokens_once()
    {
        var clientId = await _flow.RegisterClientAsync();
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc");
        using var browser = fixture.Browser();
        var verifier = CodeFlow.NewVerifier();
        var answer = CodeFlow.RedirectParameters(await _flow.SignInAsync(browser, await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, verifier)), username));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _flow.RedeemAsync(clientId, answer["code"], verifier)));
        Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(7, attempts.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task A_code_goes_to_its_client_with_its_redirect_uri_and_its_verifier_only()
    {
        var clientId = await _flow.RegisterClientAsync();
        var other = await _flow.RegisterClientAsync();
        async Task<(string Code, string Verifier)> CodeAsync()
        {
            var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc");
            using var browser = fixture.Browser();
            var verifier = CodeFlow.NewVerifier();
            var answer = CodeFlow.RedirectParameters(await _flow.SignInAsync(browser, await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, verifier)), username));
            return (answer["code"], verifier);
        }

        var (code, verifier) = await CodeAsync();
        await OAuthAssert.Error(await _flow.RedeemAsync(clientId, code, CodeFlow.NewVerifier()), HttpStatusCode.BadRequest, "invalid_grant");
        // Tried once, spent: not even the right verifier redeems it now.
        await OAuthAssert.Error(await _flow.RedeemAsync(clientId, code, verifier), HttpStatusCode.BadRequest, "invalid_grant");

        (code, verifier) = await CodeAsync();
        await OAuthAssert.Error(await _flow.RedeemAsync(other, code, verifier), HttpStatusCode.BadRequest, "invalid_grant");

        (code, verifier) = await CodeAsync();
        await OAuthAssert.Error(await _flow.RedeemAsync(clientId, code, verifier, "http://127.0.0.1:7777/elsewhere"), HttpStatusCode.BadRequest, "invalid_grant");

        await OAuthAssert.Error(await _flow.RedeemAsync(clientId, "no-such-code", verifier), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task An_unknown_client_or_a_redirect_uri_not_registered_is_an_error_page_and_never_a_redirect()
    {
        var clientId = await _flow.RegisterClientAsync();
        using var browser = fixture.Browser();
        var unknown = _flow.AuthorizeParameters("no-such-client", CodeFlow.NewVerifier());
        var mismatch = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
        mismatch["redirect_uri"] = "https://attacker.example/callback";
        var prefix = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
        prefix["redirect_uri"] = CodeFlow.RedirectUri + "/../steal";

        foreach (var parameters in new[] { unknown, mismatch, prefix })
        {
            var response = await _flow.AuthorizeAsync(browser, parameters);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(response.Headers.Location);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData(null, null, "invalid_request")]
    [InlineData("plain", "same", "invalid_request")]
    [InlineData("S256", "short", "invalid_request")]
    public async Task Pkce_is_required_with_s256_and_errors_go_back_to_the_client_with_state_and_iss(string? method, string? challenge, string error)
    {
        var clientId = await _flow.RegisterClientAsync();
        using var browser = fixture.Browser();
        var parameters = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
        parameters["code_challenge_method"] = method;
        parameters["code_challenge"] = challenge switch { null => null, "same" => parameters["code_challenge"], _ => challenge };
        var answer = CodeFlow.RedirectParameters(await _flow.AuthorizeAsync(browser, parameters));
        Assert.Equal(error, answer["error"]);
        Assert.Equal(parameters["state"], answer["state"]);
        Assert.Equal(_flow.Issuer, answer["iss"]);
        Assert.False(answer.ContainsKey("code"));
    }

    [Fact]
    public async Task Prompt_none_without_a_browser_session_answers_login_required()
    {
        var clientId = await _flow.RegisterClientAsync();
        using var browser = fixture.Browser();
        var parameters = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
        parameters["prompt"] = "none";
        Assert.Equal("login_required", CodeFlow.RedirectParameters(await _flow.AuthorizeAsync(browser, parameters))["error"]);
    }

    [Fact]
    public async Task The_sign_in_form_without_its_csrf_token_or_with_a_wrong_password_signs_no_one_in()
    {
        var clientId = await _flow.RegisterClientAsync();
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc");
        using var browser = fixture.Browser();
        var parameters = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
        var toLogin = await _flow.AuthorizeAsync(browser, parameters);
        var html = await (await browser.GetAsync(new Uri(new Uri(_flow.Issuer), toLogin.Headers.Location!))).Content.ReadAsStringAsync();

        // A cross-site post has the fields but not the token its cookie goes with.
        var forged = CodeFlow.HiddenFields(html);
        forged.Remove("csrf");
        forged["username"] = username;
        forged["password"] = OAuthFixture.Password;
        using var attacker = fixture.Browser();
        var refused = await attacker.PostAsync(_flow.Issuer + "/login", new FormUrlEncodedContent(forged));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(refused.Headers.Location);

        var wrong = await CodeFlow.PostFormAsync(browser, html, _flow.Issuer + "/login", new() { ["username"] = username, ["password"] = "Wrong-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var unknown = await CodeFlow.PostFormAsync(browser, html, _flow.Issuer + "/login", new() { ["username"] = "nobody-" + Guid.NewGuid().ToString("N")[..8], ["password"] = "Wrong-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        // One message for every failure: the page does not say which part was wrong.
        var wrongText = await wrong.Content.ReadAsStringAsync();
        Assert.Contains("The username or password is incorrect.", wrongText, StringComparison.Ordinal);
        Assert.Contains("The username or password is incorrect.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Still signed out.
        Assert.Equal(HttpStatusCode.Redirect, (await _flow.AuthorizeAsync(browser, parameters)).StatusCode);
        Assert.StartsWith("/default/login?", (await _flow.AuthorizeAsync(browser, parameters)).Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_page_locks_out_like_the_login_endpoint()
    {
        var clientId = await _flow.RegisterClientAsync();
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc-lock");
        using var browser = fixture.Browser();
        var toLogin = await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier()));
        var html = await (await browser.GetAsync(new Uri(new Uri(_flow.Issuer), toLogin.Headers.Location!))).Content.ReadAsStringAsync();

        // The tenant's lockout threshold (5) of wrong passwords, then even the right one waits.
        for (var i = 0; i < 5; i++)
        {
            var wrong = await CodeFlow.PostFormAsync(browser, html, _flow.Issuer + "/login", new() { ["username"] = username, ["password"] = "Wrong-password-1" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        var locked = await CodeFlow.PostFormAsync(browser, html, _flow.Issuer + "/login", new() { ["username"] = username, ["password"] = OAuthFixture.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Contains("Too many failed sign-in attempts", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The same lockout at the ItemPath endpoint: one implementation.
        using var http = fixture.Client(OAuthFixture.Default);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.PostAsJsonAsync("/api/users/login", new { username, password = OAuthFixture.Password })).StatusCode);
    }

    [Fact]
    public async Task Signing_in_again_for_prompt_login_keeps_the_apps_and_another_user_ends_the_first_ones()
    {
        var clientId = await _flow.RegisterClientAsync();
        var (tokens, browser, username, _) = await _flow.SignInNewUserAsync(clientId);
        using (browser)
        {
            var refresh = tokens.GetProperty("refresh_token").GetString()!;
            var again = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
            again["prompt"] = "login";
            Assert.True(CodeFlow.RedirectParameters(await _flow.SignInAsync(browser, await _flow.AuthorizeAsync(browser, again), username)).ContainsKey("code"));
            var refreshed = await HttpAssert.Ok(await RefreshAsync(clientId, refresh));

            var someoneElse = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc");
            var theirs = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
            theirs["prompt"] = "login";
            Assert.True(CodeFlow.RedirectParameters(await _flow.SignInAsync(browser, await _flow.AuthorizeAsync(browser, theirs), someoneElse)).ContainsKey("code"));
            await OAuthAssert.Error(await RefreshAsync(clientId, refreshed.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        }
    }

    [Fact]
    public async Task A_deactivated_users_browser_session_signs_nobody_in()
    {
        var clientId = await _flow.RegisterClientAsync();
        var (_, browser, username, _) = await _flow.SignInNewUserAsync(clientId);
        using (browser)
        {
            using var admin = fixture.Client(OAuthFixture.Default, fixture.AdminToken(OAuthFixture.Default));
            var users = await HttpAssert.Ok(await admin.GetAsync($"/api/users?username={username}"));
            var userId = users.GetProperty("users")[0].GetProperty("id").GetInt32();
            await HttpAssert.Ok(await admin.PatchAsync($"/api/users/{userId}", JsonContent.Create(new { status = 2 })));

            var parameters = _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier());
            var answer = await _flow.AuthorizeAsync(browser, parameters);
            Assert.StartsWith("/default/login?", answer.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_third_party_client_asks_for_consent_once()
    {
        var clientId = await _flow.RegisterClientAsync(requireConsent: true);
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oidc");
        using var browser = fixture.Browser();
        var consentPage = await _flow.SignInAsync(browser, await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier())), username);
        Assert.Equal(HttpStatusCode.OK, consentPage.StatusCode);
        var html = await consentPage.Content.ReadAsStringAsync();
        Assert.Contains("Test app", html, StringComparison.Ordinal);
        Assert.Contains("offline_access", html, StringComparison.Ordinal);

        var allowed = await CodeFlow.PostFormAsync(browser, html, _flow.Issuer + "/consent", new() { ["decision"] = "allow" });
        Assert.True(CodeFlow.RedirectParameters(allowed).ContainsKey("code"));
        // Asked once: the next authorization goes straight back with a code.
        Assert.True(CodeFlow.RedirectParameters(await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier()))).ContainsKey("code"));
    }

    [Fact]
    public async Task Sign_out_to_an_unregistered_uri_is_an_error_page_and_without_a_hint_the_user_confirms()
    {
        var clientId = await _flow.RegisterClientAsync();
        var (_, browser, _, _) = await _flow.SignInNewUserAsync(clientId);
        using (browser)
        {
            var open = await browser.GetAsync($"{_flow.Issuer}/oauth/logout?client_id={clientId}&post_logout_redirect_uri={Uri.EscapeDataString("https://attacker.example/")}");
            Assert.Equal(HttpStatusCode.BadRequest, open.StatusCode);
            Assert.Null(open.Headers.Location);

            var ask = await browser.GetAsync($"{_flow.Issuer}/oauth/logout?client_id={clientId}&post_logout_redirect_uri={Uri.EscapeDataString(CodeFlow.PostLogoutUri)}");
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
            // Not confirmed yet: still signed in.
            Assert.True(CodeFlow.RedirectParameters(await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier()))).ContainsKey("code"));

            var confirmed = await CodeFlow.PostFormAsync(browser, await ask.Content.ReadAsStringAsync(), _flow.Issuer + "/oauth/logout", []);
            Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
            Assert.Equal(CodeFlow.PostLogoutUri, confirmed.Headers.Location!.ToString());
            Assert.StartsWith("/default/login?", (await _flow.AuthorizeAsync(browser, _flow.AuthorizeParameters(clientId, CodeFlow.NewVerifier()))).Headers.Location!.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Discovery_describes_the_provider()
    {
        using var http = fixture.Client();
        var metadata = await HttpAssert.Ok(await http.GetAsync(_flow.Issuer + "/.well-known/openid-configuration"));
        Assert.Equal(_flow.Issuer, metadata.GetProperty("issuer").GetString());
        Assert.Equal(_flow.Issuer + "/oauth/authorize", metadata.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(_flow.Issuer + "/oauth/userinfo", metadata.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal(_flow.Issuer + "/oauth/logout", metadata.GetProperty("end_session_endpoint").GetString());
        Assert.Equal(["S256"], metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("RS256", metadata.GetProperty("id_token_signing_alg_values_supported")[0].GetString());
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
    }

    [Fact]
    public async Task A_native_app_with_a_private_use_scheme_gets_its_code_at_that_uri_exactly()
    {
        // RFC 8252 section 7.1: a native app registers a URI of its own scheme (reverse domain name).
        const string AppUri = "com.example.itempath:/oauth2redirect";
        var clientId = await _flow.RegisterClientAsync(redirectUris: [AppUri]);
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "native");
        using var browser = fixture.Browser();
        var verifier = CodeFlow.NewVerifier();
        var request = _flow.AuthorizeParameters(clientId, verifier);
        request["redirect_uri"] = AppUri;

        var answer = await _flow.SignInAsync(browser, await _flow.AuthorizeAsync(browser, request), username);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var location = answer.Headers.Location!.ToString();
        Assert.StartsWith(AppUri + "?", location, StringComparison.Ordinal);
        var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(location).Query);
        Assert.Equal(request["state"], parameters["state"].ToString());
        Assert.Equal(_flow.Issuer, parameters["iss"].ToString());
        var tokens = await HttpAssert.Ok(await _flow.RedeemAsync(clientId, parameters["code"].ToString(), verifier, AppUri));
        Assert.Equal(username, CodeFlow.Payload(tokens.GetProperty("id_token").GetString()!).GetProperty("preferred_username").GetString());

        // Another scheme, or the same one with another path, is not this app: an error page, no redirect.
        foreach (var other in new[] { "com.example.evil:/oauth2redirect", "com.example.itempath:/other" })
        {
            request["redirect_uri"] = other;
            using var refused = await _flow.AuthorizeAsync(browser, request);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Null(refused.Headers.Location);
        }
    }

    private Task<HttpResponseMessage> RefreshAsync(string clientId, string refreshToken) =>
        fixture.PostFormAsync(_flow.Issuer + "/oauth/token",
            [OAuthFixture.P("grant_type", "refresh_token"), OAuthFixture.P("client_id", clientId), OAuthFixture.P("refresh_token", refreshToken)]);
}
