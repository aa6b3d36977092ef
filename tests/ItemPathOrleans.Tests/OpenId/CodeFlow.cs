using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.OAuth;
using Microsoft.AspNetCore.WebUtilities;

namespace ItemPathOrleans.Tests.OpenId;

/// <summary>
/// What a relying party and a browser do in the authorization code flow, step by step, with
/// nothing but HTTP: register a client, start an authorization, sign in on the hosted page,
/// redeem the code. Each step's answer is there to look at.
/// </summary>
public sealed partial class CodeFlow(OAuthFixture fixture, string tenant = OAuthFixture.Default)
{
    public const string RedirectUri = "http://127.0.0.1:7777/callback";
    public const string PostLogoutUri = "http://127.0.0.1:7777/signed-out";

    public string Issuer => OAuthFixture.Issuer(tenant);

    /// <summary>Registers a client (public by default) that may use the code flow and refresh.</summary>
    public async Task<string> RegisterClientAsync(string type = "public", bool requireConsent = false, string[]? redirectUris = null)
    {
        using var admin = fixture.Client(tenant, fixture.AdminToken(tenant));
        var created = await HttpAssert.Ok(await admin.PostAsJsonAsync("/api/clients", new
        {
            name = "Test app",
            type,
            grantTypes = new[] { "authorization_code", "refresh_token" },
            tokenEndpointAuthMethod = type == "public" ? "none" : "client_secret_post",
            allowedScopes = new[] { "openid", "profile", "email", "offline_access" },
            redirectUris = redirectUris ?? [RedirectUri],
            postLogoutRedirectUris = new[] { PostLogoutUri },
            requireConsent,
        }), HttpStatusCode.Created);
        return created.GetProperty("clientId").GetString()!;
    }

    public static string NewVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public Dictionary<string, string?> AuthorizeParameters(string clientId, string verifier, string scope = "openid profile email offline_access") => new()
    {
        ["response_type"] = "code",
        ["client_id"] = clientId,
        ["redirect_uri"] = RedirectUri,
        ["scope"] = scope,
        ["state"] = "st-" + Guid.NewGuid().ToString("N"),
        ["nonce"] = "n-" + Guid.NewGuid().ToString("N"),
        ["code_challenge"] = Challenge(verifier),
        ["code_challenge_method"] = "S256",
    };

    public Task<HttpResponseMessage> AuthorizeAsync(HttpClient browser, IDictionary<string, string?> parameters) =>
        browser.GetAsync(QueryHelpers.AddQueryString(Issuer + "/oauth/authorize", parameters));

    /// <summary>Follows the redirect to the sign-in page and posts the form there; answers the form post's response.</summary>
    public async Task<HttpResponseMessage> SignInAsync(HttpClient browser, HttpResponseMessage toLogin, string username, string password = OAuthFixture.Password)
    {
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        var page = await browser.GetAsync(new Uri(new Uri(Issuer), toLogin.Headers.Location!));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await PostFormAsync(browser, html, Issuer + "/login", new() { ["username"] = username, ["password"] = password });
    }

    /// <summary>Posts the page's first form with its hidden fields and <paramref name="fields"/>, as a browser would.</summary>
    public static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string html, string action, Dictionary<string, string> fields)
    {
        var form = HiddenFields(html);
        foreach (var (name, value) in fields) form[name] = value;
        return browser.PostAsync(action, new FormUrlEncodedContent(form));
    }

    public static Dictionary<string, string> HiddenFields(string html)
    {
        var fields = new Dictionary<string, string>();
        foreach (Match input in HiddenInput().Matches(html))
            fields.TryAdd(WebUtility.HtmlDecode(input.Groups["name"].Value), WebUtility.HtmlDecode(input.Groups["value"].Value));
        return fields;
    }

    /// <summary>The parameters of a redirect to the client (the query of its Location).</summary>
    public static Dictionary<string, string> RedirectParameters(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(RedirectUri, location.ToString(), StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public Task<HttpResponseMessage> RedeemAsync(string clientId, string code, string verifier, string redirectUri = RedirectUri) =>
        fixture.PostFormAsync(Issuer + "/oauth/token",
        [
            OAuthFixture.P("grant_type", "authorization_code"), OAuthFixture.P("client_id", clientId), OAuthFixture.P("code", code),
            OAuthFixture.P("redirect_uri", redirectUri), OAuthFixture.P("code_verifier", verifier),
        ]);

    /// <summary>The whole flow for a new user in a new browser: the token answer, the browser, the user.</summary>
    public async Task<(JsonElement Tokens, HttpClient Browser, string Username, Dictionary<string, string?> Request)> SignInNewUserAsync(string clientId)
    {
        var username = await fixture.CreateUserAsync(tenant, "oidc");
        var browser = fixture.Browser();
        var verifier = NewVerifier();
        var request = AuthorizeParameters(clientId, verifier);
        var answer = RedirectParameters(await SignInAsync(browser, await AuthorizeAsync(browser, request), username));
        var tokens = await HttpAssert.Ok(await RedeemAsync(clientId, answer["code"], verifier));
        return (tokens, browser, username, request);
    }

    public static JsonElement Payload(string jwt) => JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement;

    public static JsonElement Header(string jwt) => JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.Split('.')[0])).RootElement;

    private static string Base64Url(byte[] bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(bytes);

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]*)\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInput();
}
