using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.SignIn.Pages;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>The OpenID Provider's pages, each with its parameters: the one place endpoints meet the components.</summary>
public static class OpenIdPages
{
    // A form's token is bound to its purpose and tenant: the cookie is shared by the tenants of one host.
    public static string SignInPurpose(string tenant) => "signin|" + tenant;
    public static string ConsentPurpose(string tenant) => "consent|" + tenant;
    public static string LogoutPurpose(string tenant) => "logout|" + tenant;

    /// <summary>The scopes' descriptions on the consent page: the standard ones here, API scopes from the tenant's settings.</summary>
    private static readonly Dictionary<string, string> StandardScopes = new(StringComparer.Ordinal)
    {
        ["openid"] = "Sign you in with your account",
        ["profile"] = "Your username, language and time zone",
        ["email"] = "Your email address",
        ["offline_access"] = "Stay signed in when you are away",
    };

    public static string Path(HttpContext context, string tenant, string page) => $"{context.Request.PathBase}/{tenant}/{page}";

    /// <summary>
    /// The sign-in page, with "Sign in with Microsoft" where the tenant's Entra application can be
    /// used (<see cref="MicrosoftSignIn.ButtonTarget"/>): its post redirects to the authority, which
    /// the page's CSP then allows as a form target.
    /// </summary>
    /// <param name="credentialsError">Whether <paramref name="error"/> is about the username and password typed (it marks those inputs).</param>
    public static IResult SignIn(HttpContext context, RequestTenant tenant, AuthorizationRequest request, FormProtection forms,
        string? username = null, string? error = null, int status = StatusCodes.Status200OK, bool credentialsError = true)
    {
        var microsoft = context.RequestServices.GetRequiredService<MicrosoftSignIn>().ButtonTarget(tenant);
        return SignInPages.Render<SignInPage>(context, new Dictionary<string, object?>
        {
            [nameof(SignInPage.TenantName)] = tenant.Info.Name,
            [nameof(SignInPage.FormAction)] = Path(context, tenant.Id, "login"),
            [nameof(SignInPage.Hidden)] = request.Parameters(),
            [nameof(SignInPage.CsrfToken)] = forms.Issue(context, SignInPurpose(tenant.Id)),
            [nameof(SignInPage.Username)] = username ?? request.LoginHint,
            [nameof(SignInPage.Error)] = error,
            [nameof(SignInPage.ErrorIsAboutCredentials)] = credentialsError,
            [nameof(SignInPage.MicrosoftUrl)] = microsoft is null ? null : Path(context, tenant.Id, "login/microsoft"),
        }, status, Origin(request.RedirectUri), microsoft);
    }

    public static IResult Consent(HttpContext context, RequestTenant tenant, AuthorizationRequest request, ClientInfo client, string scope, FormProtection forms) =>
        SignInPages.Render<ConsentPage>(context, new Dictionary<string, object?>
        {
            [nameof(ConsentPage.TenantName)] = tenant.Info.Name,
            [nameof(ConsentPage.ClientName)] = client.Name,
            [nameof(ConsentPage.Scopes)] = Describe(scope, tenant.Info.Settings),
            [nameof(ConsentPage.FormAction)] = Path(context, tenant.Id, "consent"),
            [nameof(ConsentPage.Hidden)] = request.Parameters(),
            [nameof(ConsentPage.CsrfToken)] = forms.Issue(context, ConsentPurpose(tenant.Id)),
        }, formTargetOrigin: Origin(request.RedirectUri));

    public static IResult Logout(HttpContext context, RequestTenant tenant, IReadOnlyList<KeyValuePair<string, string>> hidden, string? clientName,
        string? redirectUri, FormProtection forms) =>
        SignInPages.Render<LogoutPage>(context, new Dictionary<string, object?>
        {
            [nameof(LogoutPage.TenantName)] = tenant.Info.Name,
            [nameof(LogoutPage.FormAction)] = Path(context, tenant.Id, "oauth/logout"),
            [nameof(LogoutPage.Hidden)] = hidden,
            [nameof(LogoutPage.CsrfToken)] = forms.Issue(context, LogoutPurpose(tenant.Id)),
            [nameof(LogoutPage.ClientName)] = clientName,
        }, formTargetOrigin: Origin(redirectUri));

    public static IResult SignedOut(HttpContext context, RequestTenant tenant) =>
        SignInPages.Render<SignedOutPage>(context, new Dictionary<string, object?> { [nameof(SignedOutPage.TenantName)] = tenant.Info.Name });

    public static IResult Error(HttpContext context, string? tenantName, string message, int status = StatusCodes.Status400BadRequest) =>
        SignInPages.Render<ErrorPage>(context, new Dictionary<string, object?>
        {
            [nameof(ErrorPage.TenantName)] = tenantName,
            [nameof(ErrorPage.Title)] = "This sign-in request cannot go on",
            [nameof(ErrorPage.Message)] = message,
        }, status);

    public static IResult FormPost(HttpContext context, string action, IReadOnlyList<KeyValuePair<string, string>> fields) =>
        SignInPages.Render<FormPostPage>(context, new Dictionary<string, object?>
        {
            [nameof(FormPostPage.Action)] = action,
            [nameof(FormPostPage.Fields)] = fields,
        }, formTargetOrigin: Origin(action));

    /// <summary>A redirect (no page): the same never-cache rule as the pages.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static IReadOnlyList<(string Name, string? Description)> Describe(string scope, TenantSettings settings) =>
        scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(name => (name, StandardScopes.GetValueOrDefault(name) ?? settings.Scopes.FirstOrDefault(s => s.Name == name)?.Description))
            .ToList();

    /// <summary>The redirect URI a page's form leads to (PageHeaders cuts it to its origin, custom schemes too), or null.</summary>
    private static string? Origin(string? uri) => Uri.TryCreate(uri, UriKind.Absolute, out _) ? uri : null;
}
