using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>
/// Tenants. Admins of the operator tenant manage every tenant (create, list, read, change,
/// disable, keys); a tenant's own admins read and change their tenant's settings and keys.
/// </summary>
public static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        // Every answer here can also be 401 (no or a bad token) and 403 (not an admin allowed here).
        var tenants = app.MapGroup("/api/tenants").RequireAuthorization(TokenSchemes.AccessPolicy, TokenSchemes.AdminPolicy)
            .WithTags("Tenants")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        tenants.MapPost("", Create)
            .WithName("CreateTenant").WithSummary("Create a tenant with its first admin (operator admins)")
            .Accepts<NewTenantRequest>("application/json")
            .Produces<TenantJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        tenants.MapGet("", List)
            .WithName("ListTenants").WithSummary("Every tenant (operator admins; ?limit, ?page)")
            .Produces<TenantListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        tenants.MapGet("/{id}", Get)
            .WithName("GetTenant").WithSummary("A tenant and its settings")
            .Produces<TenantJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        DescribeChange(tenants.MapPost("/{id}", Update)
            .WithName("UpdateTenant").WithSummary("Change a tenant's settings (top-level fields), or disable it (operator admins)"));
        DescribeChange(tenants.MapPatch("/{id}", Update)
            .WithName("PatchTenant").WithSummary("Change a tenant (the same as POST)"));
        tenants.MapDelete("/{id}", Disable)
            .WithName("DisableTenant").WithSummary("Disable a tenant (operator admins; not the operator tenant)")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        tenants.MapGet("/{id}/keys", Keys)
            .WithName("ListKeys").WithSummary("The tenant's signing key versions (never a secret)")
            .Produces<KeyListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tenants.MapPost("/{id}/keys/rotate", RotateKey)
            .WithName("RotateKey").WithSummary("A new signing key version, current from now on")
            .Produces<KidJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tenants.MapPost("/{id}/keys/{kid}/retire", RetireKey)
            .WithName("RetireKey").WithSummary("Retire a key version: the tokens it signed stop working")
            .Produces<KeyListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>What POST and PATCH of a tenant take and answer.</summary>
    private static RouteHandlerBuilder DescribeChange(RouteHandlerBuilder endpoint) => endpoint
        .Accepts<TenantChangesRequest>("application/json")
        .Produces<TenantJson>(StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    private static ProblemResult OperatorOnly() => Problems.Forbidden("Operator admin rights required");

    private static ProblemResult OperatorTenantStays() => Problems.Conflict("The operator tenant cannot be disabled");

    /// <summary>The tenant an admin may manage: their own, or any for an operator admin (null: 403).</summary>
    private static async Task<(TenantInfo? Tenant, IResult? Problem)> ManagedAsync(string id, HttpContext context, TenantCache cache)
    {
        var own = context.Tenant();
        if (id == own.Id) return (own.Info, null);
        if (!own.IsOperator) return (null, Problems.Forbidden("Admins manage only their own tenant"));
        var info = TenantIds.IsValid(id) ? await cache.FindAsync(id) : null;
        return info is null ? (null, Problems.NotFound("Unknown tenant")) : (info, null);
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains, TenantCache cache, TenantCatalogCache catalog)
    {
        if (!context.Tenant().IsOperator) return OperatorOnly();
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var f = new JsonFields(body!.Value);
        string? error = null;
        var id = f.String("id", ref error, required: true);
        var name = f.String("name", ref error) ?? id;
        var adminUsername = f.String("adminUsername", ref error, required: true);
        var adminPassword = f.String("adminPassword", ref error, required: true);
        if (error is not null) return Problems.BadRequest(error);
        if (adminPassword!.Length > SessionApi.MaxPasswordLength) return Problems.BadRequest($"adminPassword must be at most {SessionApi.MaxPasswordLength} characters");

        var result = await grains.GetGrain<ITenantAdminGrain>(0).CreateTenant(id!, name!, adminUsername!, adminPassword);
        if (result.Error != TenantChangeError.None) return ToProblem(result);
        cache.Update(result.Tenant!);
        await catalog.RefreshAsync();
        return TypedResults.Created($"/api/tenants/{id}", TenantJson.From(result.Tenant!));
    }

    private static async Task<IResult> List(HttpContext context, IGrainFactory grains, TenantCache cache)
    {
        if (!context.Tenant().IsOperator) return OperatorOnly();
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        var catalog = await grains.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key).GetAll();
        var page = new List<TenantJson>();
        foreach (var entry in paging.Apply(catalog.Tenants.Values.OrderBy(t => t.Id, StringComparer.Ordinal)))
        {
            if (await cache.FindAsync(entry.Id) is { } info) page.Add(TenantJson.From(info));
        }
        return TypedResults.Ok(new TenantListJson(page, catalog.Tenants.Count));
    }

    private static async Task<IResult> Get(string id, HttpContext context, TenantCache cache)
    {
        var (tenant, problem) = await ManagedAsync(id, context, cache);
        return problem ?? TypedResults.Ok(TenantJson.From(tenant!));
    }

    private static async Task<IResult> Update(string id, HttpContext context, IGrainFactory grains, TenantCache cache, TenantCatalogCache catalog)
    {
        var (tenant, denied) = await ManagedAsync(id, context, cache);
        if (denied is not null) return denied;
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var fields = new JsonFields(body!.Value);

        var (patch, error) = ReadPatch(fields);
        patch = patch with { Sso = SsoSettingsInput.Read(body.Value, context.RequestServices.GetRequiredService<IOptions<SsoOptions>>().Value, ref error) };
        var disabled = fields.Bool("disabled", ref error);
        if (error is not null) return Problems.BadRequest(error);
        if (disabled is not null && !context.Tenant().IsOperator) return Problems.Forbidden("Only operator admins can disable a tenant");
        if (disabled is true && tenant!.Id == context.Tenant().Id) return OperatorTenantStays();

        var (updated, invalid) = await grains.GetGrain<ITenantGrain>(tenant!.Id).UpdateSettings(patch);
        if (invalid is not null) return Problems.BadRequest(invalid);
        if (disabled is { } value)
        {
            var result = await grains.GetGrain<ITenantAdminGrain>(0).SetDisabled(tenant.Id, value);
            if (result.Error != TenantChangeError.None) return ToProblem(result);
            updated = result.Tenant;
            await catalog.RefreshAsync();
        }
        // This node applies the change from the next request on; the others within a second.
        cache.Update(updated!);
        return TypedResults.Ok(TenantJson.From(updated!));
    }

    private static async Task<IResult> Disable(string id, HttpContext context, IGrainFactory grains, TenantCache cache, TenantCatalogCache catalog)
    {
        if (!context.Tenant().IsOperator) return OperatorOnly();
        if (!TenantIds.IsValid(id)) return Problems.NotFound("Unknown tenant");
        if (id == context.Tenant().Id) return OperatorTenantStays();
        var result = await grains.GetGrain<ITenantAdminGrain>(0).SetDisabled(id, true);
        if (result.Error != TenantChangeError.None) return ToProblem(result);
        cache.Update(result.Tenant!);
        await catalog.RefreshAsync();
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Keys(string id, HttpContext context, TenantCache cache)
    {
        var (tenant, problem) = await ManagedAsync(id, context, cache);
        return problem ?? TypedResults.Ok(KeyListJson.From(tenant!));
    }

    private static async Task<IResult> RotateKey(string id, HttpContext context, IGrainFactory grains, TenantCache cache)
    {
        var (tenant, problem) = await ManagedAsync(id, context, cache);
        if (problem is not null) return problem;
        var updated = await grains.GetGrain<ITenantGrain>(tenant!.Id).RotateKey();
        cache.Update(updated);
        return TypedResults.Ok(new KidJson(updated.CurrentKid));
    }

    private static async Task<IResult> RetireKey(string id, string kid, HttpContext context, IGrainFactory grains, TenantCache cache)
    {
        var (tenant, problem) = await ManagedAsync(id, context, cache);
        if (problem is not null) return problem;
        var (updated, error) = await grains.GetGrain<ITenantGrain>(tenant!.Id).RetireKey(kid);
        switch (error)
        {
            case KeyRetireError.NotFound:
                return Problems.NotFound("Unknown key");
            case KeyRetireError.Current:
                return Problems.Conflict("The current signing key cannot be retired: rotate first");
        }
        cache.Update(updated!);
        return TypedResults.Ok(KeyListJson.From(updated!));
    }

    private static ProblemResult ToProblem(TenantChangeResult result) => result.Error switch
    {
        TenantChangeError.AlreadyExists => Problems.Conflict(result.Detail!),
        TenantChangeError.NotFound => Problems.NotFound(result.Detail!),
        _ => Problems.BadRequest(result.Detail!),
    };

    private static (TenantSettingsPatch Patch, string? Error) ReadPatch(JsonFields f)
    {
        string? error = null;
        var patch = new TenantSettingsPatch
        {
            AccessTokenLifetimeSeconds = f.Int("accessTokenLifetimeSeconds", ref error),
            RefreshTokenLifetimeSeconds = f.Int("refreshTokenLifetimeSeconds", ref error),
            RefreshTokenRotation = f.Bool("refreshTokenRotation", ref error),
            RefreshReuseGraceSeconds = f.Int("refreshReuseGraceSeconds", ref error),
            MaxSessionsPerUser = f.Int("maxSessionsPerUser", ref error),
            MaxApplicationTokensPerUser = f.Int("maxApplicationTokensPerUser", ref error),
            LockoutThreshold = f.Int("lockoutThreshold", ref error),
            LockoutBaseSeconds = f.Int("lockoutBaseSeconds", ref error),
            LockoutMaxSeconds = f.Int("lockoutMaxSeconds", ref error),
            LockoutUserThreshold = f.Int("lockoutUserThreshold", ref error),
            LockoutUserWindowSeconds = f.Int("lockoutUserWindowSeconds", ref error),
            PasswordMinLength = f.Int("passwordMinLength", ref error),
            RevocationLatencySeconds = f.Int("revocationLatencySeconds", ref error),
            SigningAlgorithm = f.String("signingAlgorithm", ref error),
        };
        return (patch, error);
    }
}

/// <summary>The tenant object: <c>{"id", "name", "disabled", "createdAt", "settings": {...}}</c>.</summary>
public sealed record TenantJson(string Id, string Name, bool Disabled, string CreatedAt, TenantSettingsJson Settings)
{
    public static TenantJson From(TenantInfo t) => new(t.Id, t.Name, t.Disabled, ApiJson.Iso(t.CreatedAt), TenantSettingsJson.From(t.Settings));
}

public sealed record TenantListJson(IReadOnlyList<TenantJson> Tenants, int Total);

/// <summary>A tenant's key versions: never a secret.</summary>
public sealed record KeyJson(string Kid, string MasterKeyId, string CreatedAt, string? RetiredAt, bool Current, string Alg);

public sealed record KeyListJson(IReadOnlyList<KeyJson> Keys, int Total)
{
    public static KeyListJson From(TenantInfo t)
    {
        var keys = t.Keys.Select(k => new KeyJson(k.Kid, k.MasterKeyId, ApiJson.Iso(k.CreatedAt), k.RetiredAt is { } r ? ApiJson.Iso(r) : null, k.Kid == t.CurrentKid, k.Alg)).ToList();
        return new KeyListJson(keys, keys.Count);
    }
}

public sealed record TenantSettingsJson(
    int AccessTokenLifetimeSeconds, int RefreshTokenLifetimeSeconds, bool RefreshTokenRotation, int RefreshReuseGraceSeconds,
    int MaxSessionsPerUser, int MaxApplicationTokensPerUser, int LockoutThreshold, int LockoutBaseSeconds, int LockoutMaxSeconds,
    int LockoutUserThreshold, int LockoutUserWindowSeconds, int PasswordMinLength, int RevocationLatencySeconds, SsoSettingsJson? Sso,
    string SigningAlgorithm)
{
    public static TenantSettingsJson From(TenantSettings s) => new(
        s.AccessTokenLifetimeSeconds, s.RefreshTokenLifetimeSeconds, s.RefreshTokenRotation, s.RefreshReuseGraceSeconds,
        s.MaxSessionsPerUser, s.MaxApplicationTokensPerUser, s.LockoutThreshold, s.LockoutBaseSeconds, s.LockoutMaxSeconds,
        s.LockoutUserThreshold, s.LockoutUserWindowSeconds, s.PasswordMinLength, s.RevocationLatencySeconds, SsoSettingsJson.From(s.Sso),
        s.Algorithm);
}
