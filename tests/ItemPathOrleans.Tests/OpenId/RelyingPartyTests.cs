using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.OAuth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ItemPathOrleans.Tests.OpenId;

/// <summary>
/// A web app signs its users in with ASP.NET Core's OpenIdConnect handler, configured as its
/// documentation says, against a tenant of this service: the hosted sign-in page, the form post
/// response, the code redeemed with a client secret, the ID token checked against the JWKS,
/// userinfo, the access token calling the API, a refresh, and RP-initiated logout.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
[Collection(OAuthCollection.Name)]
public sealed class RelyingPartyTests(OAuthFixture fixture)
{
    private const string Site = "https://localhost:7777";

    [Fact]
    public async Task The_aspnetcore_openidconnect_handler_signs_in_calls_the_api_refreshes_and_signs_out()
    {
        var issuer = OAuthFixture.Issuer(OAuthFixture.Default);
        var (clientId, secret) = await RegisterWebAppAsync();
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "rp");
        var identityServer = fixture.Api.Server.CreateHandler();
        await using var app = await StartWebAppAsync(issuer, clientId, secret, identityServer);
        using var browser = new TwoSiteBrowser(new Dictionary<string, HttpMessageHandler>
        {
            ["localhost:7777"] = app.GetTestServer().CreateHandler(),
            [new Uri(issuer).Authority] = identityServer,
        });

        // The app challenges; the browser lands on the tenant's sign-in page and signs in.
        var signInPage = await browser.GetAsync(Site + "/me");
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        Assert.StartsWith(issuer + "/login", signInPage.RequestMessage!.RequestUri!.ToString(), StringComparison.Ordinal);
        var formPost = await browser.SubmitAsync(signInPage, new() { ["username"] = username, ["password"] = OAuthFixture.Password });
        // The handler asks for response_mode=form_post: a form to the app's callback, submitted by the user (no script needed).
        Assert.Equal(HttpStatusCode.OK, formPost.StatusCode);
        var me = await browser.SubmitAsync(formPost);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var shown = await me.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(username, shown.GetProperty("name").GetString());
        Assert.Equal(username, shown.GetProperty("apiUsername").GetString());
        var refreshToken = shown.GetProperty("refreshToken").GetString()!;

        // A refresh, as the app would make it with its own secret.
        var refreshed = await HttpAssert.Ok(await fixture.PostFormAsync(issuer + "/oauth/token",
        [
            OAuthFixture.P("grant_type", "refresh_token"), OAuthFixture.P("refresh_token", refreshToken),
            OAuthFixture.P("client_id", clientId), OAuthFixture.P("client_secret", secret),
        ]));
        var access = refreshed.GetProperty("access_token").GetString()!;
        using (var api = fixture.Client(bearer: access))
            Assert.Equal(username, (await HttpAssert.Ok(await api.GetAsync("/api/users/me"))).GetProperty("username").GetString());

        // RP-initiated logout: the app sends the ID token as hint; back at the app's signed-out page.
        var signedOut = await browser.GetAsync(Site + "/logout");
        Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        Assert.Equal(Site + "/signed-out", signedOut.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Path));
        Assert.Contains(browser.Visited, u => u.AbsolutePath == "/default/oauth/logout");

        // The session is gone: its tokens stop and the next visit asks for the password again.
        var refreshAfter = refreshed.TryGetProperty("refresh_token", out var rotated) ? rotated.GetString()! : refreshToken;
        await OAuthAssert.Error(await fixture.PostFormAsync(issuer + "/oauth/token",
        [
            OAuthFixture.P("grant_type", "refresh_token"), OAuthFixture.P("refresh_token", refreshAfter),
            OAuthFixture.P("client_id", clientId), OAuthFixture.P("client_secret", secret),
        ]), HttpStatusCode.BadRequest, "invalid_grant");
        var again = await browser.GetAsync(Site + "/me");
        Assert.StartsWith(issuer + "/login", again.RequestMessage!.RequestUri!.ToString(), StringComparison.Ordinal);
    }

    private async Task<(string ClientId, string Secret)> RegisterWebAppAsync()
    {
        using var admin = fixture.Client(OAuthFixture.Default, fixture.AdminToken(OAuthFixture.Default));
        var created = await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/clients", new
        {
            name = "Stations portal",
            type = "confidential",
            grantTypes = new[] { "authorization_code", "refresh_token" },
            tokenEndpointAuthMethod = "client_secret_post",
            allowedScopes = new[] { "openid", "profile", "email", "offline_access" },
            redirectUris = new[] { Site + "/signin-oidc" },
            postLogoutRedirectUris = new[] { Site + "/signout-callback-oidc" },
        }), HttpStatusCode.Created);
        return (created.GetProperty("clientId").GetString()!, created.GetProperty("clientSecret").GetString()!);
    }

    /// <summary>The web app, configured as ASP.NET Core's documentation shows, its back channel to the service in-process.</summary>
    private static async Task<WebApplication> StartWebAppAsync(string issuer, string clientId, string secret, HttpMessageHandler identityServer)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer(o => o.BaseAddress = new Uri(Site));
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(o =>
            {
                o.Authority = issuer;
                o.RequireHttpsMetadata = false;
                o.ClientId = clientId;
                o.ClientSecret = secret;
                o.ResponseType = "code";
                o.Scope.Add("email");
                o.Scope.Add("offline_access");
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "preferred_username";
                o.SignedOutRedirectUri = "/signed-out";
                o.BackchannelHttpHandler = identityServer;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => identityServer);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", async (HttpContext context, IHttpClientFactory http) =>
        {
            var access = await context.GetTokenAsync("access_token");
            using var api = http.CreateClient("api");
            using var request = new HttpRequestMessage(HttpMethod.Get, issuer.Replace("/default", "") + "/api/users/me");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
            var profile = await (await api.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
            return Results.Json(new
            {
                name = context.User.Identity!.Name,
                apiUsername = profile.GetProperty("username").GetString(),
                refreshToken = await context.GetTokenAsync("refresh_token"),
            });
        }).RequireAuthorization();
        app.MapGet("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignOutAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = "/signed-out" });
        });
        app.MapGet("/signed-out", () => "signed out");
        await app.StartAsync();
        return app;
    }
}
