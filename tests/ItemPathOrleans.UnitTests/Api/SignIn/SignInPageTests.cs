using AngleSharp.Dom;
using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.SignIn.Pages;
using static ItemPathOrleans.UnitTests.Api.SignIn.PageRendering;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>The sign-in form as a user, a password manager and a screen reader get it.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class SignInPageTests
{
    private static Dictionary<string, object?> Parameters(string? error = null, string? username = null, string? microsoftUrl = null,
        string tenantName = "Acme", IReadOnlyList<KeyValuePair<string, string>>? hidden = null) => new()
    {
        [nameof(SignInPage.TenantName)] = tenantName,
        [nameof(SignInPage.FormAction)] = "/acme/login",
        [nameof(SignInPage.Hidden)] = hidden ?? Fields(("client_id", "web"), ("state", "s-1")),
        [nameof(SignInPage.CsrfToken)] = "token-1",
        [nameof(SignInPage.Username)] = username,
        [nameof(SignInPage.Error)] = error,
        [nameof(SignInPage.MicrosoftUrl)] = microsoftUrl,
    };

    private static IElement SignInForm(IDocument page) => page.QuerySelector("input[name=password]")!.Closest("form")!;

    [Fact]
    public async Task The_form_posts_a_labelled_username_and_password_with_the_request_and_the_csrf_token()
    {
        var page = await DocumentAsync<SignInPage>(Parameters());

        var form = SignInForm(page);
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/acme/login", form.GetAttribute("action"));

        var username = form.QuerySelector("input[name=username]")!;
        Assert.Equal("Username", LabelOf(page, username));
        Assert.Equal("text", username.GetAttribute("type"));
        Assert.Equal("username", username.GetAttribute("autocomplete"));
        Assert.Equal("128", username.GetAttribute("maxlength"));
        Assert.True(username.HasAttribute("required"));

        var password = form.QuerySelector("input[name=password]")!;
        Assert.Equal("Password", LabelOf(page, password));
        Assert.Equal("password", password.GetAttribute("type"));
        Assert.Equal("current-password", password.GetAttribute("autocomplete"));
        Assert.True(password.HasAttribute("required"));

        Assert.Equal([("client_id", "web"), ("state", "s-1"), ("csrf", "token-1")], HiddenInputs(form));
    }

    [Fact]
    public async Task Focus_goes_username_then_password_then_the_submit_button()
    {
        var page = await DocumentAsync<SignInPage>(Parameters());

        var focusable = SignInForm(page).QuerySelectorAll("input:not([type=hidden]), button").ToList();
        Assert.Equal(["username", "password", "submit"], focusable.Select(e => e.GetAttribute("name") ?? e.GetAttribute("type")));
        Assert.DoesNotContain(page.All, e => e.HasAttribute("tabindex"));
        Assert.Equal("Sign in", focusable[2].TextContent.Trim());
    }

    [Fact]
    public async Task The_tenant_name_is_the_heading_and_in_the_window_title()
    {
        var page = await DocumentAsync<SignInPage>(Parameters());

        Assert.Equal("Acme", page.QuerySelector("main h1")!.TextContent);
        Assert.Equal("Sign in – Acme", page.Title);
    }

    [Fact]
    public async Task The_login_hint_prefills_the_username_and_the_password_gets_the_focus()
    {
        var page = await DocumentAsync<SignInPage>(Parameters(username: "alice"));

        Assert.Equal("alice", page.QuerySelector("input[name=username]")!.GetAttribute("value"));
        Assert.False(page.QuerySelector("input[name=username]")!.HasAttribute("autofocus"));
        Assert.True(page.QuerySelector("input[name=password]")!.HasAttribute("autofocus"));
    }

    [Fact]
    public async Task Without_an_error_nothing_is_announced_and_the_inputs_point_at_nothing()
    {
        var page = await DocumentAsync<SignInPage>(Parameters());

        Assert.Empty(page.QuerySelectorAll("[role=alert]"));
        Assert.Empty(page.QuerySelectorAll("[aria-describedby], [aria-invalid]"));
        Assert.True(page.QuerySelector("input[name=username]")!.HasAttribute("autofocus"));
    }

    [Fact]
    public async Task An_error_is_announced_and_describes_both_inputs()
    {
        var page = await DocumentAsync<SignInPage>(Parameters(error: "Wrong username or password"));

        var alert = Assert.Single(page.QuerySelectorAll("[role=alert]"));
        Assert.Equal("Wrong username or password", alert.TextContent);
        foreach (var name in new[] { "username", "password" })
        {
            var input = page.QuerySelector($"input[name={name}]")!;
            Assert.Equal(alert.Id, input.GetAttribute("aria-describedby"));
            Assert.Equal("true", input.GetAttribute("aria-invalid"));
        }
    }

    [Fact]
    public async Task An_error_of_the_Microsoft_sign_in_is_announced_without_marking_the_inputs()
    {
        var parameters = Parameters(error: "We could not sign you in with Microsoft.", microsoftUrl: "/acme/login/microsoft");
        parameters[nameof(SignInPage.ErrorIsAboutCredentials)] = false;
        var page = await DocumentAsync<SignInPage>(parameters);

        Assert.Equal("We could not sign you in with Microsoft.", Assert.Single(page.QuerySelectorAll("[role=alert]")).TextContent);
        Assert.Empty(page.QuerySelectorAll("[aria-describedby], [aria-invalid]"));
    }

    [Fact]
    public async Task No_Microsoft_button_unless_the_tenant_has_SSO()
    {
        var page = await DocumentAsync<SignInPage>(Parameters());

        Assert.Single(page.QuerySelectorAll("form"));
        Assert.DoesNotContain(page.QuerySelectorAll("button"), b => b.TextContent.Contains("Microsoft"));
    }

    [Fact]
    public async Task The_Microsoft_button_is_a_form_posting_the_request_and_the_csrf_token()
    {
        var page = await DocumentAsync<SignInPage>(Parameters(microsoftUrl: "/acme/login/microsoft"));

        var button = Assert.Single(page.QuerySelectorAll("button"), b => b.TextContent.Trim() == "Sign in with Microsoft");
        var form = button.Closest("form")!;
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/acme/login/microsoft", form.GetAttribute("action"));
        Assert.Equal([("client_id", "web"), ("state", "s-1"), ("csrf", "token-1")], HiddenInputs(form));
        Assert.Empty(form.QuerySelectorAll("input[name=password]"));
    }

    [Fact]
    public async Task Hostile_values_come_out_as_text_and_attribute_values_never_as_markup()
    {
        var page = await DocumentAsync<SignInPage>(Parameters(error: Hostile, username: Hostile, tenantName: Hostile,
            microsoftUrl: Hostile, hidden: Fields((Hostile, Hostile))));

        Assert.Empty(page.QuerySelectorAll("script"));
        Assert.Empty(page.QuerySelectorAll("b"));
        Assert.Equal(Hostile, page.QuerySelector("h1")!.TextContent);
        Assert.Equal(Hostile, page.QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal(Hostile, page.QuerySelector("input[name=username]")!.GetAttribute("value"));
        Assert.Equal(Hostile, page.QuerySelectorAll("form")[1].GetAttribute("action"));
        Assert.All(page.QuerySelectorAll("form"), form => Assert.Equal((Hostile, Hostile), HiddenInputs(form)[0]));
    }

    [Fact]
    public async Task The_csrf_field_has_the_name_FormProtection_reads()
    {
        var page = await DocumentAsync<SignInPage>(Parameters());

        Assert.Equal("token-1", SignInForm(page).QuerySelector($"input[name={FormProtection.FieldName}]")!.GetAttribute("value"));
    }
}
