namespace ItemPathOrleans.Api.Tenancy;

/// <summary>
/// Endpoint metadata of an endpoint outside <c>/api</c> that belongs to a tenant: the tenant is
/// the route value <paramref name="RouteParameter"/> when given (it must then agree with the
/// host and <c>X-Tenant</c>, if they name one), else the request's tenant as for <c>/api</c>.
/// </summary>
public sealed record TenantScoped(string? RouteParameter = null);
