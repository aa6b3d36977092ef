namespace ItemPathOrleans.Api.Tenancy;

public static class RequestTenantExtensions
{
    public static RequestTenant Tenant(this HttpContext context) =>
        context.Features.Get<RequestTenant>() ?? throw new InvalidOperationException("No tenant was resolved for this request.");
}
