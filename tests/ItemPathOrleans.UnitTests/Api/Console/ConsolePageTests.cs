using ItemPathOrleans.Api.Console;
using ItemPathOrleans.UnitTests.Api.SignIn;
using Microsoft.AspNetCore.Http;

namespace ItemPathOrleans.UnitTests.Api.Console;

/// <summary>The console's page: what the script is told, escaped, and the headers that confine it.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ConsolePageTests
{
    private static Dictionary<string, object?> Parameters(string tenantName) => new()
    {
        [nameof(ConsolePage.TenantName)] = tenantName,
        [nameof(ConsolePage.Tenant)] = "acme",
        [nameof(ConsolePage.Issuer)] = "https://auth.example.com/acme",
        [nameof(ConsolePage.ApiBase)] = "https://auth.example.com",
        [nameof(ConsolePage.Operator)] = false,
    };

    [Fact]
    public async Task The_page_tells_the_script_its_tenant_and_issuer_and_runs_no_inline_script()
    {
        var document = await PageRendering.DocumentAsync<ConsolePage>(Parameters("Acme"));
        var body = document.Body!;

        Assert.Equal("https://auth.example.com/acme", body.GetAttribute("data-issuer"));
        Assert.Equal("acme", body.GetAttribute("data-tenant"));
        Assert.Equal("https://auth.example.com", body.GetAttribute("data-api"));
        Assert.Equal("itempath-console", body.GetAttribute("data-client-id"));
        Assert.Equal("false", body.GetAttribute("data-operator"));
        Assert.Equal("Console – Acme", document.Title);
        var script = Assert.Single(document.Scripts);
        Assert.Equal("module", script.GetAttribute("type"));
        Assert.Equal(ConsoleAssets.Href("console.js"), script.GetAttribute("src"));
        Assert.True(string.IsNullOrWhiteSpace(script.TextContent));
        Assert.NotNull(document.QuerySelector("main#main"));
        Assert.Equal("status", document.GetElementById("status")?.GetAttribute("role"));
    }

    [Fact]
    public async Task A_hostile_tenant_name_stays_text()
    {
        var document = await PageRendering.DocumentAsync<ConsolePage>(Parameters(PageRendering.Hostile));

        Assert.Single(document.Scripts);
        Assert.Equal(PageRendering.Hostile, document.Body!.GetAttribute("data-tenant-name"));
        Assert.Equal($"Console – {PageRendering.Hostile}", document.Title);
    }

    [Fact]
    public void The_page_gets_the_exact_headers()
    {
        var context = new DefaultHttpContext();
        ConsolePageHeaders.Apply(context.Response, "https://auth.example.com:8443/acme");
        var headers = context.Response.Headers;

        Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' https://auth.example.com:8443; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'", headers.ContentSecurityPolicy.ToString());
        Assert.Equal("DENY", headers.XFrameOptions.ToString());
        Assert.Equal("no-referrer", headers["Referrer-Policy"].ToString());
        Assert.Equal("no-store", headers.CacheControl.ToString());
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());
    }
}
