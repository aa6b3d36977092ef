using System.Buffers.Text;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>
/// A tenant's JSON Web Key Set (RFC 7517): the public keys of its ES256 key versions that still
/// validate, so resource servers can check its tokens without a shared secret. A tenant on HS256
/// publishes an empty set (its keys are secrets), and an ES256 tenant never lists an HS256
/// version nor a retired one. Served for the request's tenant at <c>/.well-known/jwks.json</c>,
/// and with the tenant named in the path under its issuer (<c>{issuer}/.well-known/jwks.json</c>,
/// the form the authorization server metadata points to) and at <c>/.well-known/jwks.json/{tenant}</c>.
/// </summary>
public static class JwksApi
{
    public const string Path = "/.well-known/jwks.json";

    public static IEndpointRouteBuilder MapJwksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, (HttpContext context, EcSigningKeys keys) => Answer(context, context.Tenant().Info, keys))
            .AllowAnonymous().WithMetadata(new TenantScoped())
            .WithName("JwksForRequestTenant")
            .WithSummary("The request tenant's public signing keys (JWKS)")
            .Produces<JwksJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/{tenant}" + Path, ForNamedTenant)
            .AllowAnonymous()
            .WithName("JwksUnderIssuer")
            .WithSummary("A tenant's public signing keys (JWKS), under its issuer")
            .Produces<JwksJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet(Path + "/{tenant}", ForNamedTenant)
            .AllowAnonymous()
            .WithName("JwksForTenant")
            .WithSummary("A tenant's public signing keys (JWKS), tenant named in the path")
            .Produces<JwksJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> ForNamedTenant(string tenant, HttpContext context, TenantCatalogCache catalog, TenantCache tenants, IOptions<TenancyOptions> tenancy, EcSigningKeys keys)
    {
        // Like tenant resolution: from the cached list, so a random id costs no grain call.
        var entry = TenantIds.IsValid(tenant) ? await catalog.FindAsync(tenant) : null;
        var info = entry is { Disabled: false } ? await tenants.FindAsync(tenant) : null;
        var o = tenancy.Value;
        var offHost = tenant == o.OperatorTenant && !string.IsNullOrEmpty(o.OperatorHost)
                      && !string.Equals(context.Request.Host.Host, o.OperatorHost, StringComparison.OrdinalIgnoreCase);
        if (info is null || info.Disabled || offHost) return Problems.NotFound("Unknown tenant");
        return Answer(context, info, keys);
    }

    private static IResult Answer(HttpContext context, TenantInfo tenant, EcSigningKeys keys)
    {
        var set = new List<JwkJson>();
        if (tenant.Settings.Algorithm == SigningAlgorithms.ES256)
        {
            foreach (var version in tenant.Keys)
            {
                if (version.Alg != SigningAlgorithms.ES256 || version.RetiredAt is not null) continue;
                var q = keys.PublicKey(tenant.Id, version).Q;
                set.Add(new JwkJson("EC", "P-256", Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y), version.Kid, "sig", SigningAlgorithms.ES256));
            }
        }
        // Short: a rotation signs at once, and validators refetch on an unknown kid anyway.
        context.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Ok(new JwksJson(set));
    }
}

/// <summary>RFC 7517 key set; public members only.</summary>
public sealed record JwksJson(IReadOnlyList<JwkJson> Keys);

/// <summary>An EC public key (RFC 7518 §6.2.1): never <c>d</c>.</summary>
public sealed record JwkJson(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);
