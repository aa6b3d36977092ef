using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>
/// The pages' CSRF tokens: bound to the browser's cookie and the form's purpose, checked by any
/// node that has the master key, through a master key rotation.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class FormProtectionTests
{
    private static readonly MasterKey Old = Key("m1", 1);
    private static readonly MasterKey New = Key("m2", 2);

    private static MasterKey Key(string id, byte seed) =>
        new() { Id = id, Secret = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 11 + seed)).ToArray()) };

    private static FormProtection With(params MasterKey[] keys) =>
        new(Options.Create(new TokensOptions { MasterKeys = [.. keys] }));

    /// <summary>A first visit: no cookie yet. Returns the token and the cookie the browser was given.</summary>
    private static (string Token, string Cookie) IssueOnFirstVisit(FormProtection protection, string purpose, string host = "id.example.com", bool https = true)
    {
        var context = Request(host, https);
        var token = protection.Issue(context, purpose);
        return (token, SetCookie(context)!.Value.ToString());
    }

    private static DefaultHttpContext Request(string host = "id.example.com", bool https = true, string? cookie = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = https ? "https" : "http";
        context.Request.Host = new HostString(host);
        if (cookie is not null) context.Request.Headers.Cookie = $"{FormProtection.CookieName}={cookie}";
        return context;
    }

    private static SetCookieHeaderValue? SetCookie(HttpContext context) =>
        SetCookieHeaderValue.ParseList(context.Response.Headers.SetCookie.OfType<string>().ToList()).SingleOrDefault(c => c.Name == FormProtection.CookieName);

    [Fact]
    public void A_token_verifies_for_the_same_cookie_and_purpose()
    {
        var protection = With(Old);
        var (token, cookie) = IssueOnFirstVisit(protection, "login|acme");

        Assert.True(protection.Verify(Request(cookie: cookie), "login|acme", token));
    }

    [Fact]
    public void A_token_does_not_verify_for_another_purpose()
    {
        var protection = With(Old);
        var (token, cookie) = IssueOnFirstVisit(protection, "login|acme");

        Assert.False(protection.Verify(Request(cookie: cookie), "consent|acme", token));
        Assert.False(protection.Verify(Request(cookie: cookie), "login|globex", token));
    }

    [Fact]
    public void A_token_does_not_verify_with_another_browsers_cookie()
    {
        var protection = With(Old);
        var (token, _) = IssueOnFirstVisit(protection, "login|acme");
        var (_, otherCookie) = IssueOnFirstVisit(protection, "login|acme");

        Assert.False(protection.Verify(Request(cookie: otherCookie), "login|acme", token));
    }

    [Fact]
    public void Without_the_cookie_or_the_field_nothing_verifies()
    {
        var protection = With(Old);
        var (token, cookie) = IssueOnFirstVisit(protection, "login|acme");

        Assert.False(protection.Verify(Request(), "login|acme", token));
        Assert.False(protection.Verify(Request(cookie: ""), "login|acme", token));
        Assert.False(protection.Verify(Request(cookie: cookie), "login|acme", null));
        Assert.False(protection.Verify(Request(cookie: cookie), "login|acme", ""));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void A_malformed_token_does_not_verify(string token)
    {
        var protection = With(Old);
        var (_, cookie) = IssueOnFirstVisit(protection, "login|acme");

        Assert.False(protection.Verify(Request(cookie: cookie), "login|acme", token));
    }

    [Fact]
    public void A_cookie_the_service_did_not_make_is_replaced_and_never_verifies()
    {
        // A value an attacker could plant (a sibling domain can set cookies): not the shape the service gives.
        var protection = With(Old);
        var context = Request(cookie: "planted");
        var token = protection.Issue(context, "login|acme");

        var replaced = SetCookie(context);
        Assert.NotNull(replaced);
        Assert.NotEqual("planted", replaced.Value.ToString());
        Assert.False(protection.Verify(Request(cookie: "planted"), "login|acme", token));
        Assert.True(protection.Verify(Request(cookie: replaced.Value.ToString()), "login|acme", token));
    }

    [Theory]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_malformed_cookie_of_any_length_is_no_cookie(string planted)
    {
        var protection = With(Old);
        var context = Request(cookie: planted);
        var token = protection.Issue(context, "login|acme");

        Assert.NotNull(SetCookie(context));
        Assert.False(protection.Verify(Request(cookie: planted), "login|acme", token));
    }

    [Fact]
    public void A_browser_that_has_the_cookie_keeps_it()
    {
        var protection = With(Old);
        var (first, cookie) = IssueOnFirstVisit(protection, "login|acme");

        var again = Request(cookie: cookie);
        var second = protection.Issue(again, "login|acme");

        Assert.Null(SetCookie(again));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Two_forms_on_one_first_visit_share_one_cookie()
    {
        var protection = With(Old);
        var context = Request();

        var login = protection.Issue(context, "login|acme");
        var microsoft = protection.Issue(context, "login-microsoft|acme");

        var cookie = Assert.Single(SetCookieHeaderValue.ParseList(context.Response.Headers.SetCookie.OfType<string>().ToList())).Value.ToString();
        Assert.True(protection.Verify(Request(cookie: cookie), "login|acme", login));
        Assert.True(protection.Verify(Request(cookie: cookie), "login-microsoft|acme", microsoft));
    }

    [Fact]
    public void A_token_stops_verifying_when_its_master_key_is_removed()
    {
        var (token, cookie) = IssueOnFirstVisit(With(Old), "login|acme");

        Assert.False(With(New).Verify(Request(cookie: cookie), "login|acme", token));
    }

    [Fact]
    public void A_token_still_verifies_after_a_new_master_key_is_added_beside_its_own()
    {
        var (token, cookie) = IssueOnFirstVisit(With(Old), "login|acme");
        var rotated = With(Old, New);

        Assert.True(rotated.Verify(Request(cookie: cookie), "login|acme", token));
        // New tokens come from the new key: the old key alone does not verify them.
        var fresh = rotated.Issue(Request(cookie: cookie), "login|acme");
        Assert.NotEqual(token, fresh);
        Assert.True(rotated.Verify(Request(cookie: cookie), "login|acme", fresh));
        Assert.False(With(Old).Verify(Request(cookie: cookie), "login|acme", fresh));
    }

    [Fact]
    public void Nodes_with_the_same_master_keys_agree()
    {
        var (token, cookie) = IssueOnFirstVisit(With(Old), "login|acme");

        Assert.True(With(Old).Verify(Request(cookie: cookie), "login|acme", token));
    }

    [Fact]
    public void The_cookie_is_http_only_lax_for_the_whole_site_and_secure()
    {
        var context = Request("id.example.com", https: true);
        With(Old).Issue(context, "login|acme");

        var cookie = SetCookie(context)!;
        Assert.True(cookie.HttpOnly);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, cookie.SameSite);
        Assert.Equal("/", cookie.Path.ToString());
        Assert.True(cookie.Secure);
        Assert.Null(cookie.Expires);
        Assert.Equal(43, cookie.Value.Length);
    }

    [Theory]
    [InlineData("127.0.0.1:5080", false, false)]
    [InlineData("localhost:5080", false, false)]
    [InlineData("[::1]:5080", false, false)]
    [InlineData("id.example.com", false, true)]
    [InlineData("10.0.0.5:8080", false, true)]
    [InlineData("127.0.0.1:5443", true, true)]
    public void The_cookie_goes_without_TLS_only_to_a_loopback_host(string host, bool https, bool secure)
    {
        var context = Request(host, https);
        With(Old).Issue(context, "login|acme");

        Assert.Equal(secure, SetCookie(context)!.Secure);
    }
}
