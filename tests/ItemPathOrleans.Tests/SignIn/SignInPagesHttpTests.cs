using System.Net;
using System.Net.Http.Headers;
using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.SignIn.Pages;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ItemPathOrleans.Tests.SignIn;

/// <summary>
/// The pages' stylesheet as the service serves it, and a page rendered by the service itself
/// (its Razor rendering, headers and CSRF cookie), as a browser receives them.
/// </summary>
[Collection(Infrastructure.ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class SignInPagesHttpTests(ServiceFixture service)
{
    [Fact]
    public async Task The_stylesheet_is_served_as_css_and_cached_for_a_year()
    {
        using var http = service.Client();

        var response = await http.GetAsync(PageStyles.Href);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl is { Public: true, MaxAge.TotalDays: 365 }, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.NotNull(response.Headers.ETag);
        var css = await response.Content.ReadAsStringAsync();
        Assert.Contains(":focus-visible", css);
        Assert.DoesNotContain("@import", css);
        Assert.DoesNotContain("url(", css);
    }

    [Fact]
    public async Task A_browser_that_has_the_stylesheet_gets_304()
    {
        using var http = service.Client();
        var first = await http.GetAsync(PageStyles.Path);

        using var again = new HttpRequestMessage(HttpMethod.Get, PageStyles.Path);
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var response = await http.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task A_page_rendered_by_the_service_is_html_with_the_page_headers_and_the_csrf_cookie()
    {
        await using var api = service.Api.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter>(new ProbePage())));
        using var http = api.CreateClient();

        var response = await http.GetAsync(ProbePage.Path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https://app.example; frame-ancestors 'none'; base-uri 'none'",
            string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.CacheControl is { NoStore: true }, $"Cache-Control: {response.Headers.CacheControl}");
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(FormProtection.CookieName + "=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var html = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<h1>Acme</h1>", html);
        Assert.Contains("name=\"username\"", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("<script", html);
    }

    /// <summary>A page served the way the sign-in endpoints serve theirs, before the rest of the pipeline.</summary>
    private sealed class ProbePage : IStartupFilter
    {
        public const string Path = "/test-probe/sign-in";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map(Path, probe => probe.Run(async context =>
            {
                var token = context.RequestServices.GetRequiredService<FormProtection>().Issue(context, "login|acme");
                var page = SignInPages.Render<SignInPage>(context, new
                {
                    TenantName = "Acme",
                    FormAction = "/acme/login",
                    Hidden = new List<KeyValuePair<string, string>> { new("state", "<script>") },
                    CsrfToken = token,
                    Error = "Wrong username or password",
                }, StatusCodes.Status401Unauthorized, formTargetOrigin: "https://app.example/callback");
                await page.ExecuteAsync(context);
            }));
            next(app);
        };
    }
}
