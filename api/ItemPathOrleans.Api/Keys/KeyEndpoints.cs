using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Api.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ItemPathOrleans.Api.Keys;

/// <summary>
/// Signing keys: a tenant's admins (or an operator admin) list, rotate and retire its key
/// versions; anyone reads its JSON Web Key Set (RFC 7517), so resource servers can check its
/// tokens without a shared secret. The set is served for the request's tenant at
/// <c>/.well-known/jwks.json</c>, and with the tenant named in the path under its issuer
/// (<c>{issuer}/.well-known/jwks.json</c>, the form the authorization server metadata points to)
/// and at <c>/.well-known/jwks.json/{tenant}</c>.
/// </summary>
public static class KeyEndpoints
{
    public const string JwksPath = "/.well-known/jwks.json";

    public static IServiceCollection AddKeys(this IServiceCollection services)
    {
        services.TryAddSingleton<RsaSigningKeys>();
        return services.AddSingleton<SigningKeyClient>();
    }

    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapAdminGroup("/api/tenants/{id}/keys", "Tenants");
        keys.MapGet("", List)
            .WithName("ListKeys").WithSummary("The tenant's signing key versions (never a secret)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        keys.MapPost("/rotate", Rotate)
            .WithName("RotateKey").WithSummary("A new signing key version, current from now on")
            .ProducesProblem(StatusCodes.Status404NotFound);
        keys.MapPost("/{kid}/retire", Retire)
            .WithName("RetireKey").WithSummary("Retire a key version: the tokens it signed stop working")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        app.MapGet(JwksPath, (HttpContext context, SigningKeyClient signingKeys) => Jwks(context, context.Tenant().Info, signingKeys))
            .AllowAnonymous().WithMetadata(new TenantScoped())
            .WithName("JwksForRequestTenant").WithSummary("The request tenant's public signing keys (JWKS)")
            .Produces<JwksJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/{tenant}" + JwksPath, JwksForNamedTenant)
            .AllowAnonymous()
            .WithName("JwksUnderIssuer").WithSummary("A tenant's public signing keys (JWKS), under its issuer")
            .Produces<JwksJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet(JwksPath + "/{tenant}", JwksForNamedTenant)
            .AllowAnonymous()
            .WithName("JwksForTenant").WithSummary("A tenant's public signing keys (JWKS), tenant named in the path")
            .Produces<JwksJson>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<KeyListJson>, ProblemResult>> List(string id, HttpContext context, TenantAdminClient tenants)
    {
        var (tenant, refusal) = await tenants.ManagedAsync(context.Tenant(), id);
        return refusal is not null ? refusal : TypedResults.Ok(KeyListJson.From(tenant!));
    }

    private static async Task<Results<Ok<KidJson>, ProblemResult>> Rotate(string id, HttpContext context, TenantAdminClient tenants, SigningKeyClient keys)
    {
        var (tenant, refusal) = await tenants.ManagedAsync(context.Tenant(), id);
        if (refusal is not null) return refusal;
        var updated = await keys.RotateAsync(tenant!);
        return TypedResults.Ok(new KidJson(updated.CurrentKid));
    }

    private static async Task<Results<Ok<KeyListJson>, ProblemResult>> Retire(string id, string kid, HttpContext context, TenantAdminClient tenants, SigningKeyClient keys)
    {
        var (tenant, refusal) = await tenants.ManagedAsync(context.Tenant(), id);
        if (refusal is not null) return refusal;
        var (updated, error) = await keys.RetireAsync(tenant!, kid);
        return error switch
        {
            KeyRetireError.NotFound => Problems.NotFound("Unknown key"),
            KeyRetireError.Current => Problems.Conflict("The current signing key cannot be retired: rotate first"),
            _ => TypedResults.Ok(KeyListJson.From(updated!)),
        };
    }

    private static async Task<IResult> JwksForNamedTenant(string tenant, HttpContext context, SigningKeyClient keys) =>
        await Jwks(context, await keys.FindPublishingAsync(tenant, context.Request.Host.Host), keys);

    private static async Task<IResult> Jwks(HttpContext context, Contracts.Model.TenantInfo? tenant, SigningKeyClient keys)
    {
        if (tenant is null) return Problems.NotFound("Unknown tenant");
        // The current version's ID token key is made on first need: a relying party that has read
        // the set can check the next ID token without fetching it again.
        try
        {
            tenant = await keys.EnsureIdTokenKeyAsync(tenant);
        }
        catch (Exception e) when (ClusterFailures.IsUnavailable(e))
        {
            // The cluster does not answer, or the version's master key is lost: the set is
            // published as stored (its public keys need no secret), the ID token key with a later read.
        }
        // Short: a rotation signs at once, and validators refetch on an unknown kid anyway.
        context.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Ok(keys.PublicKeys(tenant));
    }
}
