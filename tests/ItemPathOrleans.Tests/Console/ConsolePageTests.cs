using System.Net;
using System.Text.RegularExpressions;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.OAuth;

namespace ItemPathOrleans.Tests.Console;

/// <summary>
/// The console as the server serves it: <c>/console</c> sends the request's tenant to its
/// issuer's console, the page (and its two redirect targets) carries the tenant and a CSP that
/// runs the service's own scripts only, and the scripts and stylesheet come from the service.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
[Collection(OAuthCollection.Name)]
public sealed partial class ConsolePageTests(OAuthFixture fixture)
{
    [Fact]
    public async Task Console_sends_the_requests_tenant_to_its_issuers_console()
    {
        using var browser = fixture.Browser();
        var plain = await browser.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        Assert.Equal(OAuthFixture.Issuer(OAuthFixture.Default) + "/console", plain.Headers.Location!.ToString());

        using var other = fixture.Browser();
        other.DefaultRequestHeaders.Add("X-Tenant", fixture.OtherTenant);
        Assert.Equal(OAuthFixture.Issuer(fixture.OtherTenant) + "/console", (await other.GetAsync("/console")).Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("/console")]
    [InlineData("/console/callback")]
    [InlineData("/console/signed-out")]
    public async Task The_page_names_its_tenant_and_allows_only_the_services_own_scripts(string path)
    {
        using var browser = fixture.Browser();
        var tenant = fixture.OtherTenant;
        var page = await browser.GetAsync($"/{tenant}{path}");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http://127.0.0.1:5080; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains($"data-issuer=\"{OAuthFixture.Issuer(tenant)}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-tenant=\"{tenant}\"", html, StringComparison.Ordinal);
        Assert.Contains("data-client-id=\"itempath-console\"", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script(?![^>]*\\ssrc=)", html);
    }

    [Fact]
    public async Task An_unknown_tenant_has_no_console()
    {
        using var browser = fixture.Browser();
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/no-such-tenant/console")).StatusCode);
    }

    [Fact]
    public async Task The_pages_scripts_and_stylesheet_are_served_by_the_service_and_cached_by_version()
    {
        using var browser = fixture.Browser();
        var html = await (await browser.GetAsync($"/{OAuthFixture.Default}/console")).Content.ReadAsStringAsync();
        var assets = Asset().Matches(html).Select(m => m.Groups["href"].Value).ToList();
        Assert.Equal(2, assets.Count);

        foreach (var href in assets)
        {
            var answer = await browser.GetAsync(href);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(href.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript", answer.Content.Headers.ContentType?.MediaType);
            Assert.Equal("public, max-age=31536000, immutable", answer.Headers.CacheControl?.ToString());
            Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        }

        // A module the entry imports is served under the same version.
        var script = assets.Single(a => a.EndsWith("console.js", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(script.Replace("console.js", "session.js", StringComparison.Ordinal))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(script.Replace("console.js", "nothing.js", StringComparison.Ordinal))).StatusCode);
    }

    [GeneratedRegex("(?:src|href)=\"(?<href>/assets/console/[0-9a-f]{16}/[a-z-]+\\.(?:js|css))\"")]
    private static partial Regex Asset();
}
