using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ItemPathOrleans.Api.Tenants;

/// <summary>
/// Tenants. Admins of the operator tenant manage every tenant (create, list, read, change,
/// disable); a tenant's own admins read and change their tenant's settings.
/// </summary>
public static class TenantEndpoints
{
    public static IServiceCollection AddTenants(this IServiceCollection services) => services.AddSingleton<TenantAdminClient>();

    public static IEndpointRouteBuilder MapTenantEndpoints(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapAdminGroup("/api/tenants", "Tenants");
        tenants.MapPost("", Create)
            .WithName("CreateTenant").WithSummary("Create a tenant with its first admin (operator admins)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);
        tenants.MapGet("", List)
            .WithName("ListTenants").WithSummary("Every tenant (operator admins; ?limit, ?page)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        tenants.MapGet("/{id}", Get)
            .WithName("GetTenant").WithSummary("A tenant and its settings")
            .ProducesProblem(StatusCodes.Status404NotFound);
        DescribeChange(tenants.MapPost("/{id}", Update)
            .WithName("UpdateTenant").WithSummary("Change a tenant's settings (top-level fields, each optional), or disable it (\"disabled\", operator admins)"));
        DescribeChange(tenants.MapPatch("/{id}", Update)
            .WithName("PatchTenant").WithSummary("Change a tenant (the same as POST)"));
        tenants.MapDelete("/{id}", Disable)
            .WithName("DisableTenant").WithSummary("Disable a tenant (operator admins; not the operator tenant)")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>What POST and PATCH of a tenant answer besides the tenant.</summary>
    private static RouteHandlerBuilder DescribeChange(RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);

    private static ProblemResult OperatorOnly() => Problems.Forbidden("Operator admin rights required");

    private static ProblemResult OperatorTenantStays() => Problems.Conflict("The operator tenant cannot be disabled");

    private static async Task<Results<Created<TenantJson>, ProblemResult>> Create(NewTenantRequest request, HttpContext context, TenantAdminClient tenants)
    {
        if (!context.Tenant().IsOperator) return OperatorOnly();
        var result = await tenants.CreateAsync(request);
        if (result.Error != TenantChangeError.None) return ToProblem(result);
        return TypedResults.Created($"/api/tenants/{request.Id}", TenantJson.From(result.Tenant!));
    }

    private static async Task<Results<Ok<TenantListJson>, ProblemResult>> List(HttpContext context, TenantAdminClient tenants)
    {
        if (!context.Tenant().IsOperator) return OperatorOnly();
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        var (page, total) = await tenants.ListAsync(paging);
        return TypedResults.Ok(new TenantListJson(page.Select(TenantJson.From).ToList(), total));
    }

    private static async Task<Results<Ok<TenantJson>, ProblemResult>> Get(string id, HttpContext context, TenantAdminClient tenants)
    {
        var (tenant, refusal) = await tenants.ManagedAsync(context.Tenant(), id);
        return refusal is not null ? refusal : TypedResults.Ok(TenantJson.From(tenant!));
    }

    private static async Task<Results<Ok<TenantJson>, ProblemResult>> Update(string id, TenantChangesRequest request, HttpContext context, TenantAdminClient tenants)
    {
        var caller = context.Tenant();
        var (tenant, refusal) = await tenants.ManagedAsync(caller, id);
        if (refusal is not null) return refusal;
        if (request.Disabled is not null && !caller.IsOperator) return Problems.Forbidden("Only operator admins can disable a tenant");
        if (request.Disabled is true && tenant!.Id == caller.Id) return OperatorTenantStays();
        var result = await tenants.UpdateAsync(tenant!, request.Patch, request.Disabled);
        return result.Error == TenantChangeError.None ? TypedResults.Ok(TenantJson.From(result.Tenant!)) : ToProblem(result);
    }

    private static async Task<Results<NoContent, ProblemResult>> Disable(string id, HttpContext context, TenantAdminClient tenants)
    {
        if (!context.Tenant().IsOperator) return OperatorOnly();
        if (!TenantIds.IsValid(id)) return Problems.NotFound("Unknown tenant");
        if (id == context.Tenant().Id) return OperatorTenantStays();
        var result = await tenants.DisableAsync(id);
        return result.Error == TenantChangeError.None ? TypedResults.NoContent() : ToProblem(result);
    }

    private static ProblemResult ToProblem(TenantChangeResult result) => result.Error switch
    {
        TenantChangeError.AlreadyExists => Problems.Conflict(result.Detail!),
        TenantChangeError.NotFound => Problems.NotFound(result.Detail!),
        _ => Problems.BadRequest(result.Detail!),
    };
}
