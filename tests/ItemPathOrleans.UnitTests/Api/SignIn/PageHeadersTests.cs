using ItemPathOrleans.Api.SignIn;
using Microsoft.AspNetCore.Http;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>The headers of every page: what the browser may load, frame, cache and tell others.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PageHeadersTests
{
    private static IHeaderDictionary Applied(string? formTargetOrigin = null)
    {
        var context = new DefaultHttpContext();
        PageHeaders.Apply(context.Response, formTargetOrigin);
        return context.Response.Headers;
    }

    [Fact]
    public void A_page_gets_the_exact_headers()
    {
        var headers = Applied();

        Assert.Equal("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            headers.ContentSecurityPolicy.ToString());
        Assert.Equal("DENY", headers.XFrameOptions.ToString());
        Assert.Equal("no-referrer", headers["Referrer-Policy"].ToString());
        Assert.Equal("no-store", headers.CacheControl.ToString());
        Assert.Equal("no-cache", headers.Pragma.ToString());
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());
    }

    [Theory]
    [InlineData("https://app.example.com/callback?x=1#f", "https://app.example.com")]
    [InlineData("https://user:pw@app.example.com:8443/cb", "https://app.example.com:8443")]
    [InlineData("http://127.0.0.1:49152/callback", "http://127.0.0.1:49152")]
    [InlineData("http://[::1]:8080/cb", "http://[::1]:8080")]
    [InlineData("https://bücher.example/cb", "https://xn--bcher-kva.example")]
    [InlineData("com.example.app:/oauth2redirect", "com.example.app:")]
    public void A_form_target_elsewhere_is_allowed_by_its_origin_alone(string target, string source)
    {
        var csp = Applied(target).ContentSecurityPolicy.ToString();

        Assert.Contains($"; form-action 'self' {source}; frame-ancestors 'none'", csp);
    }

    [Fact]
    public void The_sign_in_pages_identity_provider_is_allowed_beside_the_client_once_each()
    {
        var context = new DefaultHttpContext();
        PageHeaders.Apply(context.Response, "https://app.example.com/callback", "https://login.microsoftonline.com/organizations/v2.0");
        Assert.Contains("; form-action 'self' https://app.example.com https://login.microsoftonline.com; frame-ancestors", context.Response.Headers.ContentSecurityPolicy.ToString());

        var same = new DefaultHttpContext();
        PageHeaders.Apply(same.Response, "https://login.microsoftonline.com/cb", "https://login.microsoftonline.com");
        Assert.Contains("; form-action 'self' https://login.microsoftonline.com; frame-ancestors", same.Response.Headers.ContentSecurityPolicy.ToString());
    }

    [Theory]
    [InlineData("/relative/callback")]
    [InlineData("not a url")]
    [InlineData("https://app.example; script-src *")]
    [InlineData("")]
    public void A_form_target_that_is_no_absolute_url_is_refused(string target)
    {
        Assert.Throws<ArgumentException>(() => Applied(target));
    }
}
