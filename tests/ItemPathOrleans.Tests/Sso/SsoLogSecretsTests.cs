using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>
/// Every log line of the silos and the API, at every level, through single sign-ons that pass and
/// fail: never an ID token or a token answered, and each refusal is a security event.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class SsoLogSecretsTests : IAsyncLifetime
{
    private const string SecurityEventsCategory = "ItemPathOrleans.Grains.Security.SecurityEvents";

    private LoggedService _service = null!;
    private EntraDouble _entra = null!;

    public async Task InitializeAsync()
    {
        _service = await LoggedService.StartAsync(apiSettings: SsoFixture.LoopbackSettings());
        _entra = await EntraDouble.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _entra.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task No_id_token_or_issued_token_is_ever_logged_and_refusals_are_security_events()
    {
        var tid = Guid.NewGuid().ToString();
        using var http = _service.Api.CreateClient();
        var admin = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        http.DefaultRequestHeaders.Authorization = new("Bearer", admin.GetProperty("accessToken").GetString());
        await HttpAssert.Ok(await http.PatchAsJsonAsync("/api/tenants/default", new
        {
            sso = new { authority = _entra.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { tid }, autoProvision = true },
        }));
        http.DefaultRequestHeaders.Authorization = null;

        var secrets = new List<string>();
        async Task<HttpResponseMessage> SignInAsync(Dictionary<string, object> claims)
        {
            var idToken = _entra.Sign(claims);
            secrets.Add(idToken);
            secrets.Add(idToken.Split('.')[1]);
            secrets.Add(idToken.Split('.')[2]);
            return await http.PostAsJsonAsync("/api/users/sso/login", new { idToken });
        }

        var oid = Guid.NewGuid().ToString();
        var login = await HttpAssert.Ok(await SignInAsync(_entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow)));
        foreach (var property in new[] { "accessToken", "refreshToken" })
        {
            var token = login.GetProperty(property).GetString()!;
            secrets.Add(token);
            secrets.Add(token.Split('.')[2]);
        }

        var wrongAudience = _entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow);
        wrongAudience["aud"] = "someone-else";
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(wrongAudience)).StatusCode);
        var expired = _entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow.AddHours(-3));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(expired)).StatusCode);
        _entra.RotateKey();
        _entra.Down = true;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SignInAsync(_entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow))).StatusCode);

        var lines = _service.Lines;
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            foreach (var secret in secrets) Assert.False(line.Text.Contains(secret, StringComparison.Ordinal), $"a token appears in: {line}");
        }

        var events = lines.Where(l => l.Category == SecurityEventsCategory && l.EventId.Id == 4000).Select(l => l.Text).ToList();
        Assert.Contains(events, e => e.Contains("sso_login_succeeded", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("sso_login_refused", StringComparison.Ordinal) && e.Contains("ID token audience is not this tenant's client id", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("sso_login_refused", StringComparison.Ordinal) && e.Contains("ID token has expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_client_secret_and_what_the_sign_in_pages_code_flow_handles_are_never_logged_or_answered()
    {
        var tid = Guid.NewGuid().ToString();
        using var http = _service.Api.CreateClient();
        var admin = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        http.DefaultRequestHeaders.Authorization = new("Bearer", admin.GetProperty("accessToken").GetString());
        var configured = await http.PatchAsJsonAsync("/api/tenants/default", new
        {
            sso = new { authority = _entra.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { tid }, autoProvision = true, clientSecret = EntraDouble.ClientSecret },
        });
        var answers = new List<string> { await configured.Content.ReadAsStringAsync() };
        await HttpAssert.Ok(configured);
        answers.Add(await (await http.GetAsync("/api/tenants/default")).Content.ReadAsStringAsync());
        answers.Add(await (await http.GetAsync("/api/tenants")).Content.ReadAsStringAsync());
        var client = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/clients", new
        {
            name = "Portal", type = "public", tokenEndpointAuthMethod = "none",
            grantTypes = new[] { "authorization_code" }, allowedScopes = new[] { "openid", "profile" },
            redirectUris = new[] { OpenId.CodeFlow.RedirectUri },
        }), HttpStatusCode.Created);
        var clientId = client.GetProperty("clientId").GetString()!;

        // A sign-in with Microsoft that passes, one whose secret Entra's token endpoint refuses, one whose ID token is refused.
        _entra.SignedIn = new EntraDouble.Person(tid, Guid.NewGuid().ToString(), "paged@contoso.example");
        using var browser = _service.Api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        async Task<HttpResponseMessage> SignInAsync()
        {
            var verifier = OpenId.CodeFlow.NewVerifier();
            var toLogin = await browser.GetAsync(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString($"{TestSettings.Issuer}/default/oauth/authorize", new Dictionary<string, string?>
            {
                ["response_type"] = "code", ["client_id"] = clientId, ["redirect_uri"] = OpenId.CodeFlow.RedirectUri, ["scope"] = "openid profile",
                ["state"] = "s", ["code_challenge"] = OpenId.CodeFlow.Challenge(verifier), ["code_challenge_method"] = "S256", ["prompt"] = "login",
            }));
            var page = await browser.GetAsync(new Uri(new Uri(TestSettings.Issuer), toLogin.Headers.Location!));
            var html = await page.Content.ReadAsStringAsync();
            answers.Add(html);
            var toEntra = await OpenId.CodeFlow.PostFormAsync(browser, html, $"{TestSettings.Issuer}/default/login/microsoft", new());
            using var entra = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            var callback = await browser.GetAsync((await entra.GetAsync(toEntra.Headers.Location!)).Headers.Location!);
            answers.Add(await callback.Content.ReadAsStringAsync());
            return callback;
        }
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync()).StatusCode);
        _entra.AcceptedClientSecret = "rotated-at-entra";
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync()).StatusCode);
        _entra.AcceptedClientSecret = EntraDouble.ClientSecret;
        _entra.AlterIdToken = claims => claims["aud"] = "someone-else";
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync()).StatusCode);

        // The secret and Entra's ID tokens: in no line at all. Entra's codes come back in the
        // callback's query (response_mode=query), which ASP.NET Core's request line shows when its
        // Information level is on (off by default): useless without the PKCE verifier, which only
        // the browser's sealed cookie holds, and the secret. This service itself never logs them.
        var secrets = new List<string> { EntraDouble.ClientSecret };
        var codes = new List<string>();
        foreach (var issued in _entra.Issued)
        {
            if (issued.Count(c => c == '.') == 2) secrets.AddRange([issued, issued.Split('.')[2]]);
            else codes.Add(issued);
        }
        Assert.Equal(3, codes.Count);
        foreach (var answer in answers) Assert.DoesNotContain(EntraDouble.ClientSecret, answer, StringComparison.Ordinal);
        var lines = _service.Lines;
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            foreach (var secret in secrets) Assert.False(line.Text.Contains(secret, StringComparison.Ordinal), $"a secret appears in: {line}");
            if (line.Category == "Microsoft.AspNetCore.Hosting.Diagnostics") continue;
            foreach (var code in codes) Assert.False(line.Text.Contains(code, StringComparison.Ordinal), $"a code appears in: {line}");
        }
        var events = lines.Where(l => l.Category == SecurityEventsCategory && l.EventId.Id == 4000).Select(l => l.Text).ToList();
        Assert.Contains(events, e => e.Contains("sso_login_refused", StringComparison.Ordinal) && e.Contains("ID token audience is not this tenant's client id", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("sso_login_refused", StringComparison.Ordinal) && e.Contains("token endpoint answered invalid_client", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Text.Contains("Entra refused the client credentials of tenant default", StringComparison.Ordinal));
    }
}
