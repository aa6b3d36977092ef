using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Console;

/// <summary>
/// The web console: one page under each tenant's issuer (<c>{issuer}/console</c>, and its two
/// redirect targets <c>/console/callback</c> and <c>/console/signed-out</c>), whose script signs
/// in as the built-in client <see cref="ConsoleClient"/> and does everything else through the
/// documented API. <c>GET /console</c> sends the request's tenant to its issuer's console.
/// </summary>
public static class ConsoleEndpoints
{
    public static IEndpointRouteBuilder MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(ConsoleClient.Path, ToIssuer).WithMetadata(new TenantScoped()).AllowAnonymous().ExcludeFromDescription();
        var console = app.MapGroup("/{tenant}").WithMetadata(new TenantScoped("tenant")).AllowAnonymous().ExcludeFromDescription()
            .DisableAntiforgery();
        console.MapGet(ConsoleClient.Path, Page);
        console.MapGet(ConsoleClient.CallbackPath, Page);
        console.MapGet(ConsoleClient.SignedOutPath, Page);
        app.MapConsoleAssets();
        return app;
    }

    private static RedirectHttpResult ToIssuer(HttpContext context, IOptions<TokensOptions> tokens) =>
        TypedResults.Redirect(ConsoleClient.Url(tokens.Value.IssuerFor(context.Tenant().Id)));

    // IResult, not RazorComponentResult<ConsolePage>: the request delegate generator cannot see types the Razor compiler generates.
    private static IResult Page(HttpContext context, IOptions<TokensOptions> tokens)
    {
        var tenant = context.Tenant();
        var issuer = tokens.Value.IssuerFor(tenant.Id);
        ConsolePageHeaders.Apply(context.Response, issuer);
        return new RazorComponentResult<ConsolePage>(new Dictionary<string, object?>
        {
            [nameof(ConsolePage.TenantName)] = tenant.Info.Name,
            [nameof(ConsolePage.Tenant)] = tenant.Id,
            [nameof(ConsolePage.Issuer)] = issuer,
            [nameof(ConsolePage.ApiBase)] = tokens.Value.Issuer.TrimEnd('/'),
            [nameof(ConsolePage.Operator)] = tenant.IsOperator,
        });
    }
}
