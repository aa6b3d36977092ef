using AngleSharp.Dom;
using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.SignIn.Pages;
using static ItemPathOrleans.UnitTests.Api.SignIn.PageRendering;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>What every page shares: a standards-mode document in a language, the service's one stylesheet, nothing the CSP would block.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PageFrameTests
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> Hidden = Fields(("state", "s"));

    public static TheoryData<string> Pages() => [nameof(SignInPage), nameof(ConsentPage), nameof(LogoutPage), nameof(SignedOutPage), nameof(ErrorPage), nameof(FormPostPage)];

    private static Task<IDocument> RenderAsync(string name) => name switch
    {
        nameof(SignInPage) => DocumentAsync<SignInPage>(new Dictionary<string, object?>
        {
            ["TenantName"] = "Acme", ["FormAction"] = "/acme/login", ["Hidden"] = Hidden, ["CsrfToken"] = "t", ["MicrosoftUrl"] = "/acme/login/microsoft", ["Error"] = "No",
        }),
        nameof(ConsentPage) => DocumentAsync<ConsentPage>(new Dictionary<string, object?>
        {
            ["TenantName"] = "Acme", ["ClientName"] = "App", ["Scopes"] = new List<(string, string?)> { ("openid", null) }, ["FormAction"] = "/c", ["Hidden"] = Hidden, ["CsrfToken"] = "t",
        }),
        nameof(LogoutPage) => DocumentAsync<LogoutPage>(new Dictionary<string, object?>
        {
            ["TenantName"] = "Acme", ["FormAction"] = "/l", ["Hidden"] = Hidden, ["CsrfToken"] = "t", ["ClientName"] = "App",
        }),
        nameof(SignedOutPage) => DocumentAsync<SignedOutPage>(new Dictionary<string, object?> { ["TenantName"] = "Acme" }),
        nameof(ErrorPage) => DocumentAsync<ErrorPage>(new Dictionary<string, object?> { ["TenantName"] = "Acme", ["Title"] = "Oops", ["Message"] = "Bad" }),
        nameof(FormPostPage) => DocumentAsync<FormPostPage>(new Dictionary<string, object?> { ["Action"] = "https://app.example/cb", ["Fields"] = Hidden }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory, MemberData(nameof(Pages))]
    public async Task The_page_is_an_html5_document_in_english_with_a_title_a_heading_and_the_stylesheet(string name)
    {
        var page = await RenderAsync(name);

        Assert.Equal("html", page.Doctype?.Name);
        Assert.Equal("CSS1Compat", page.CompatMode); // standards mode, not quirks
        Assert.Equal("en", page.DocumentElement.GetAttribute("lang"));
        Assert.False(string.IsNullOrWhiteSpace(page.Title));
        Assert.Single(page.QuerySelectorAll("main h1"));
        Assert.NotNull(page.QuerySelector("meta[name=viewport]"));
        var stylesheet = Assert.Single(page.QuerySelectorAll("link[rel=stylesheet]"));
        Assert.Equal(PageStyles.Href, stylesheet.GetAttribute("href"));
        Assert.StartsWith(PageStyles.Path + "?v=", PageStyles.Href);
    }

    [Theory, MemberData(nameof(Pages))]
    public async Task The_page_has_nothing_its_CSP_forbids(string name)
    {
        var page = await RenderAsync(name);

        // default-src 'none', style-src 'self': no script of any kind, no inline style, no frame, nothing from elsewhere.
        Assert.Empty(page.QuerySelectorAll("script, style, iframe, object, embed, base, [style]"));
        Assert.DoesNotContain(page.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
        Assert.All(page.QuerySelectorAll("[src], link[href]"), e =>
            Assert.StartsWith("/", e.GetAttribute("src") ?? e.GetAttribute("href")));
    }

    [Theory, MemberData(nameof(Pages))]
    public async Task Every_form_posts_and_every_control_has_a_name_a_screen_reader_can_read(string name)
    {
        var page = await RenderAsync(name);

        Assert.All(page.QuerySelectorAll("form"), form => Assert.Equal("post", form.GetAttribute("method")));
        Assert.All(page.QuerySelectorAll("input:not([type=hidden])"), input => Assert.False(string.IsNullOrWhiteSpace(LabelOf(page, input))));
        Assert.All(page.QuerySelectorAll("button"), button => Assert.False(string.IsNullOrWhiteSpace(button.TextContent)));
        var ids = page.All.Select(e => e.Id).Where(id => !string.IsNullOrEmpty(id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
