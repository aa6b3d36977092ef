using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Tenancy;

/// <summary>
/// Resolves each API request's tenant: the Host's label under <c>Tenancy:HostSuffix</c>, else
/// <c>X-Tenant</c> (only from trusted proxies when a host suffix is set), else <c>default</c>.
/// Unknown or disabled tenants answer 404 <c>Unknown tenant</c>, from the cached tenant list (in
/// the shape of the request's endpoints: <see cref="ProblemResult"/> knows OAuth requests).
/// </summary>
public sealed class TenantResolution(RequestDelegate next, TenantCatalogCache catalog, TenantCache tenants, IOptions<TenancyOptions> options)
{
    public const string Header = "X-Tenant";

    public async Task InvokeAsync(HttpContext context)
    {
        var scoped = context.GetEndpoint()?.Metadata.GetMetadata<TenantScoped>();
        if (scoped is null && !context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }

        var o = options.Value;
        var fromPath = scoped?.RouteParameter is { } parameter ? context.GetRouteValue(parameter) as string ?? "" : null;
        var (id, problem) = Resolve(context, o, fromPath);
        if (problem is not null)
        {
            await problem.ExecuteAsync(context);
            return;
        }

        var entry = TenantIds.IsValid(id) ? await catalog.FindAsync(id!) : null;
        var info = entry is { Disabled: false } ? await tenants.FindAsync(id!) : null;
        var isOperator = id == o.OperatorTenant;
        if (info is null || info.Disabled || (isOperator && !OnOperatorHost(context, o)))
        {
            await Problems.NotFound("Unknown tenant").ExecuteAsync(context);
            return;
        }
        context.Features.Set(new RequestTenant(info, isOperator));
        // Every grain call of this request carries the version resolved here: settings changed
        // before the request started apply to it on any silo (see SeenTenantVersion).
        SeenTenantVersion.Carry(info.Id, info.Version);
        await next(context);
    }

    private static (string? Tenant, ProblemResult? Problem) Resolve(HttpContext context, TenancyOptions o, string? fromPath)
    {
        var headers = context.Request.Headers[Header];
        if (headers.Count > 1) return (null, Problems.BadRequest("X-Tenant must be given once"));
        var header = headers.Count == 1 ? headers[0] : null;

        string? named;
        if (string.IsNullOrEmpty(o.HostSuffix))
        {
            named = header;
        }
        else
        {
            var fromHost = HostLabel(context.Request.Host.Host, o.HostSuffix);
            if (header is not null && !ClientAddress.FromTrustedProxy(context)) header = null;
            if (fromHost is not null && header is not null && header != fromHost)
                return (null, Problems.BadRequest("X-Tenant does not match the host"));
            named = fromHost ?? header;
        }
        if (fromPath is not null && named is not null && named != fromPath)
            return (null, Problems.BadRequest("The tenant in the path does not match the request's tenant"));
        return (fromPath ?? named ?? TenantIds.Default, null);
    }

    /// <summary><c>acme.auth.example.com</c> under <c>auth.example.com</c> is <c>acme</c>; anything deeper is no tenant.</summary>
    internal static string? HostLabel(string host, string suffix)
    {
        host = host.ToLowerInvariant();
        suffix = suffix.ToLowerInvariant();
        if (!host.EndsWith("." + suffix, StringComparison.Ordinal)) return null;
        var label = host[..^(suffix.Length + 1)];
        // acme.eu.auth.example.com is not a tenant: give it an id that matches nothing.
        return label.Contains('.') ? "" : label;
    }

    private static bool OnOperatorHost(HttpContext context, TenancyOptions o) =>
        string.IsNullOrEmpty(o.OperatorHost) || string.Equals(context.Request.Host.Host, o.OperatorHost, StringComparison.OrdinalIgnoreCase);
}
