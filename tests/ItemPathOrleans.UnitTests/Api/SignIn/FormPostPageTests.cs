using ItemPathOrleans.Api.SignIn.Pages;
using static ItemPathOrleans.UnitTests.Api.SignIn.PageRendering;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>response_mode=form_post: the authorization response as a form the user sends on (no script needed).</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class FormPostPageTests
{
    [Fact]
    public async Task The_response_is_posted_to_the_redirect_uri_with_a_visible_continue_button()
    {
        var page = await DocumentAsync<FormPostPage>(new Dictionary<string, object?>
        {
            [nameof(FormPostPage.Action)] = "https://app.example/callback",
            [nameof(FormPostPage.Fields)] = Fields(("code", "c-1"), ("state", "s-1"), ("iss", "https://id.example/acme")),
        });

        var form = Assert.Single(page.QuerySelectorAll("form"));
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("https://app.example/callback", form.GetAttribute("action"));
        Assert.Equal([("code", "c-1"), ("state", "s-1"), ("iss", "https://id.example/acme")], HiddenInputs(form));
        Assert.Equal("Continue", Assert.Single(form.QuerySelectorAll("button[type=submit]")).TextContent.Trim());
        Assert.Empty(page.QuerySelectorAll("script"));
    }

    [Fact]
    public async Task Hostile_values_stay_attribute_values()
    {
        var page = await DocumentAsync<FormPostPage>(new Dictionary<string, object?>
        {
            [nameof(FormPostPage.Action)] = Hostile,
            [nameof(FormPostPage.Fields)] = Fields(("state", Hostile)),
        });

        Assert.Empty(page.QuerySelectorAll("script, b"));
        var form = Assert.Single(page.QuerySelectorAll("form"));
        Assert.Equal(Hostile, form.GetAttribute("action"));
        Assert.Equal([("state", Hostile)], HiddenInputs(form));
    }
}
