using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ItemPathOrleans.Api.SignIn;

/// <summary>
/// The hosted pages (sign-in, consent, logout, errors, form post): Razor components in
/// <c>SignIn/Pages</c> rendered to HTML on the server (static rendering, no JavaScript), with the
/// <see cref="PageHeaders"/> on every answer and <see cref="FormProtection"/> on every form.
/// </summary>
public static class SignInPages
{
    public static IServiceCollection AddSignInPages(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddSingleton<FormProtection>();
        return services;
    }

    /// <summary>
    /// A page as the answer: <typeparamref name="TPage"/> rendered with <paramref name="parameters"/>
    /// (an object whose properties, or a dictionary whose keys, are the page's parameter names)
    /// and the page headers set on the response. <paramref name="formTargetOrigin"/> is the
    /// origin a form of the page posts to, or redirects to after its post, besides this service
    /// (see <see cref="PageHeaders.Apply"/>), and <paramref name="identityProviderOrigin"/> the
    /// Entra authority a "Sign in with Microsoft" post redirects to.
    /// </summary>
    public static IResult Render<TPage>(HttpContext context, object parameters, int status = StatusCodes.Status200OK, string? formTargetOrigin = null,
        string? identityProviderOrigin = null)
        where TPage : IComponent
    {
        PageHeaders.Apply(context.Response, formTargetOrigin, identityProviderOrigin);
        return new RazorComponentResult<TPage>(parameters) { StatusCode = status };
    }
}
