using ItemPathOrleans.Api.SignIn.Pages;
using static ItemPathOrleans.UnitTests.Api.SignIn.PageRendering;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>The page for errors that must not redirect.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ErrorPageTests
{
    private static Dictionary<string, object?> Parameters(string? tenantName, string title, string message) => new()
    {
        [nameof(ErrorPage.TenantName)] = tenantName,
        [nameof(ErrorPage.Title)] = title,
        [nameof(ErrorPage.Message)] = message,
    };

    [Fact]
    public async Task It_shows_the_title_under_the_tenant_and_announces_the_message()
    {
        var page = await DocumentAsync<ErrorPage>(Parameters("Acme", "Unknown application", "The application is not registered."));

        Assert.Equal("Acme", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("Unknown application", page.QuerySelector("h2")!.TextContent);
        Assert.Equal("The application is not registered.", Assert.Single(page.QuerySelectorAll("[role=alert]")).TextContent);
        Assert.Equal("Unknown application – Acme", page.Title);
        Assert.Empty(page.QuerySelectorAll("form, a"));
    }

    [Fact]
    public async Task Without_a_tenant_the_title_is_the_heading()
    {
        var page = await DocumentAsync<ErrorPage>(Parameters(null, "Unknown tenant", "There is no such tenant."));

        Assert.Equal("Unknown tenant", Assert.Single(page.QuerySelectorAll("h1, h2")).TextContent);
        Assert.Equal("Unknown tenant", page.Title);
    }

    [Fact]
    public async Task Hostile_values_come_out_as_text()
    {
        var page = await DocumentAsync<ErrorPage>(Parameters(Hostile, Hostile, Hostile));

        Assert.Empty(page.QuerySelectorAll("script, b"));
        Assert.Equal(Hostile, page.QuerySelector("h1")!.TextContent);
        Assert.Equal(Hostile, page.QuerySelector("h2")!.TextContent);
        Assert.Equal(Hostile, page.QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal($"{Hostile} – {Hostile}", page.Title);
    }
}
