using ItemPathOrleans.Api.Http;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Tenancy;

/// <summary>The tenant a request belongs to, resolved before authentication.</summary>
public sealed record RequestTenant(TenantInfo Info)
{
    public string Id => Info.Id;
}

/// <summary>
/// Resolves each API request's tenant and makes it available as a feature. This build serves
/// the default tenant; unknown or disabled tenants answer 404.
/// </summary>
public sealed class TenantResolution(RequestDelegate next, TenantCache tenants)
{
    public const string DefaultTenant = "default";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }

        var info = await tenants.FindAsync(DefaultTenant);
        if (info is null || info.Disabled)
        {
            await ProblemResult.WriteAsync(context, StatusCodes.Status404NotFound, "Unknown tenant");
            return;
        }
        context.Features.Set(new RequestTenant(info));
        await next(context);
    }
}

public static class RequestTenantExtensions
{
    public static RequestTenant Tenant(this HttpContext context) =>
        context.Features.Get<RequestTenant>() ?? throw new InvalidOperationException("No tenant was resolved for this request.");
}
