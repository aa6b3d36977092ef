using ItemPathOrleans.Api.SignIn.Pages;
using static ItemPathOrleans.UnitTests.Api.SignIn.PageRendering;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>The logout confirmation, and the page after a logout with nowhere to go.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class LogoutPageTests
{
    private static Dictionary<string, object?> Parameters(string? clientName = null, string tenantName = "Acme") => new()
    {
        [nameof(LogoutPage.TenantName)] = tenantName,
        [nameof(LogoutPage.FormAction)] = "/acme/oauth/logout",
        [nameof(LogoutPage.Hidden)] = Fields(("state", "s-9")),
        [nameof(LogoutPage.CsrfToken)] = "token-3",
        [nameof(LogoutPage.ClientName)] = clientName,
    };

    [Fact]
    public async Task It_asks_to_sign_out_of_the_tenant_and_posts_the_request_and_the_csrf_token()
    {
        var page = await DocumentAsync<LogoutPage>(Parameters());

        Assert.Equal("Sign out of Acme?", page.QuerySelector("h2")!.TextContent);
        var form = Assert.Single(page.QuerySelectorAll("form"));
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/acme/oauth/logout", form.GetAttribute("action"));
        Assert.Equal("Sign out", Assert.Single(form.QuerySelectorAll("button[type=submit]")).TextContent.Trim());
        Assert.Equal([("state", "s-9"), ("csrf", "token-3")], HiddenInputs(form));
    }

    [Fact]
    public async Task The_client_that_asked_is_named_when_known()
    {
        var without = await DocumentAsync<LogoutPage>(Parameters());
        var with = await DocumentAsync<LogoutPage>(Parameters(clientName: "Photo Printer"));

        Assert.DoesNotContain("asked to sign you out", without.Body!.TextContent);
        Assert.Contains("Photo Printer asked to sign you out.", with.Body!.TextContent);
    }

    [Fact]
    public async Task Hostile_names_come_out_as_text()
    {
        var page = await DocumentAsync<LogoutPage>(Parameters(clientName: Hostile, tenantName: Hostile));

        Assert.Empty(page.QuerySelectorAll("script, b"));
        Assert.Equal($"Sign out of {Hostile}?", page.QuerySelector("h2")!.TextContent);
        Assert.Contains($"{Hostile} asked to sign you out.", page.Body!.TextContent);
    }

    [Fact]
    public async Task The_signed_out_page_says_so_and_has_no_form()
    {
        var page = await DocumentAsync<SignedOutPage>(new Dictionary<string, object?> { [nameof(SignedOutPage.TenantName)] = Hostile });

        Assert.Empty(page.QuerySelectorAll("form, script, b"));
        Assert.Equal(Hostile, page.QuerySelector("h1")!.TextContent);
        Assert.Equal("You are signed out", page.QuerySelector("h2")!.TextContent);
        Assert.Contains($"You have signed out of {Hostile}.", page.Body!.TextContent);
    }
}
