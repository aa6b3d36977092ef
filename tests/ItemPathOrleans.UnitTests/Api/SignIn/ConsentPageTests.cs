using ItemPathOrleans.Api.SignIn.Pages;
using static ItemPathOrleans.UnitTests.Api.SignIn.PageRendering;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>The consent page: who asks, for what, and the two answers.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ConsentPageTests
{
    private static Dictionary<string, object?> Parameters(string clientName = "Photo Printer", string tenantName = "Acme",
        IReadOnlyList<(string Name, string? Description)>? scopes = null) => new()
    {
        [nameof(ConsentPage.TenantName)] = tenantName,
        [nameof(ConsentPage.ClientName)] = clientName,
        [nameof(ConsentPage.Scopes)] = scopes ?? [("openid", "Know who you are"), ("offline_access", null)],
        [nameof(ConsentPage.FormAction)] = "/acme/oauth/consent",
        [nameof(ConsentPage.Hidden)] = Fields(("request", "r-1")),
        [nameof(ConsentPage.CsrfToken)] = "token-2",
    };

    [Fact]
    public async Task It_names_the_client_and_lists_each_scope_with_its_description()
    {
        var page = await DocumentAsync<ConsentPage>(Parameters());

        Assert.Equal("Acme", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("Photo Printer", page.QuerySelector("h2")!.TextContent);
        // As a screen reader reads the list: each item's words, the name then the description.
        var items = page.QuerySelectorAll("ul li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(["openid Know who you are", "offline_access"], items);
        Assert.Equal("Know who you are", page.QuerySelector("li .scope-description")!.TextContent);
    }

    [Fact]
    public async Task Allow_and_deny_are_submit_buttons_of_one_form_with_the_request_and_the_csrf_token()
    {
        var page = await DocumentAsync<ConsentPage>(Parameters());

        var form = Assert.Single(page.QuerySelectorAll("form"));
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/acme/oauth/consent", form.GetAttribute("action"));
        var buttons = form.QuerySelectorAll("button").Select(b => (b.GetAttribute("type"), b.GetAttribute("name"), b.GetAttribute("value"), b.TextContent.Trim()));
        Assert.Equal([("submit", "decision", "allow", "Allow"), ("submit", "decision", "deny", "Deny")], buttons);
        Assert.Equal([("request", "r-1"), ("csrf", "token-2")], HiddenInputs(form));
    }

    [Fact]
    public async Task Hostile_client_and_scope_names_come_out_as_text()
    {
        var page = await DocumentAsync<ConsentPage>(Parameters(clientName: Hostile, tenantName: Hostile, scopes: [(Hostile, Hostile)]));

        Assert.Empty(page.QuerySelectorAll("script, b"));
        Assert.Equal(Hostile, page.QuerySelector("h1")!.TextContent);
        Assert.Contains(Hostile, page.QuerySelector("h2")!.TextContent);
        Assert.Equal(Hostile, page.QuerySelector(".scope-name")!.TextContent);
        Assert.Equal(Hostile, page.QuerySelector(".scope-description")!.TextContent);
    }
}
