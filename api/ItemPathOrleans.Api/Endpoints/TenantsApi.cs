using System.Text.Json;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Http;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>A tenant's settings, read and changed by the tenant's admins.</summary>
public static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/api/tenants").RequireAuthorization(TokenSchemes.AccessPolicy, TokenSchemes.AdminPolicy);
        tenants.MapGet("/{id}", Get);
        tenants.MapPost("/{id}", Update);
        tenants.MapPatch("/{id}", Update);
        return app;
    }

    private static IResult Get(string id, HttpContext context)
    {
        var tenant = context.Tenant();
        if (id != tenant.Id) return Problems.Forbidden("Admins manage only their own tenant");
        return TypedResults.Ok(TenantJson.From(tenant.Info));
    }

    private static async Task<IResult> Update(string id, HttpContext context, IGrainFactory grains, TenantCache cache)
    {
        var tenant = context.Tenant();
        if (id != tenant.Id) return Problems.Forbidden("Admins manage only their own tenant");
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var fields = new JsonFields(body!.Value);
        if (fields.Has("disabled")) return Problems.Forbidden("Only operator admins can disable a tenant");

        var (patch, error) = ReadPatch(fields);
        if (error is not null) return Problems.BadRequest(error);
        var (updated, invalid) = await grains.GetGrain<ITenantGrain>(tenant.Id).UpdateSettings(patch);
        if (invalid is not null) return Problems.BadRequest(invalid);
        // This node applies the change from the next request on; the others within a second.
        cache.Update(updated!);
        return TypedResults.Ok(TenantJson.From(updated!));
    }

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
        };
        return (patch, error);
    }
}

/// <summary>The tenant object: <c>{"id", "name", "disabled", "createdAt", "settings": {...}}</c>.</summary>
public sealed record TenantJson(string Id, string Name, bool Disabled, string CreatedAt, TenantSettingsJson Settings)
{
    public static TenantJson From(TenantInfo t) => new(t.Id, t.Name, t.Disabled, ApiJson.Iso(t.CreatedAt), TenantSettingsJson.From(t.Settings));
}

public sealed record TenantSettingsJson(
    int AccessTokenLifetimeSeconds, int RefreshTokenLifetimeSeconds, bool RefreshTokenRotation, int RefreshReuseGraceSeconds,
    int MaxSessionsPerUser, int MaxApplicationTokensPerUser, int LockoutThreshold, int LockoutBaseSeconds, int LockoutMaxSeconds,
    int LockoutUserThreshold, int LockoutUserWindowSeconds, int PasswordMinLength, int RevocationLatencySeconds, JsonElement? Sso)
{
    public static TenantSettingsJson From(TenantSettings s) => new(
        s.AccessTokenLifetimeSeconds, s.RefreshTokenLifetimeSeconds, s.RefreshTokenRotation, s.RefreshReuseGraceSeconds,
        s.MaxSessionsPerUser, s.MaxApplicationTokensPerUser, s.LockoutThreshold, s.LockoutBaseSeconds, s.LockoutMaxSeconds,
        s.LockoutUserThreshold, s.LockoutUserWindowSeconds, s.PasswordMinLength, s.RevocationLatencySeconds, null);
}
