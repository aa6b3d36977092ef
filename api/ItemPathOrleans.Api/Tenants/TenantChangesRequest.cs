using System.Reflection;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Contracts.Model;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Tenants;

/// <summary>
/// <c>POST|PATCH /api/tenants/{id}</c>: settings as top-level fields, each optional, read by the
/// properties of <see cref="TenantSettings"/> (its camelCase names and types), so a new setting
/// needs nothing here; <c>sso</c> through <see cref="SsoSettingsInput"/> (the hosts this server
/// may fetch from, the write-only client secret sealed for the tenant of the route), <c>apiScopes</c> (a list of objects) through <see cref="ApiScopesInput"/>, and <c>disabled</c> for operator admins only. The API reference documents
/// the body as <see cref="TenantSettings"/>, ranges included.
/// </summary>
public sealed record TenantChangesRequest(TenantSettingsPatch Patch, bool? Disabled)
    : IBindableFromHttpContext<TenantChangesRequest>, IEndpointParameterMetadataProvider
{
    public static async ValueTask<TenantChangesRequest?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) throw new RequestRejectedException(problem);
        var fields = new JsonFields(body!.Value);
        var sso = context.RequestServices.GetRequiredService<IOptions<SsoOptions>>().Value;
        var seal = context.RequestServices.GetRequiredService<MasterKeySeal>();
        string? error = null;
        var patch = new TenantSettingsPatch();
        foreach (var setting in TenantSettingsRules.Settings)
        {
            var name = TenantSettingsRules.JsonName(setting.Name);
            if (setting.PropertyType == typeof(SsoSettings))
            {
                // The tenant the route names: a sealed client secret opens for that tenant only.
                var tenant = context.Request.RouteValues["id"] as string ?? "";
                if (SsoSettingsInput.Read(body.Value, tenant, sso, seal, ref error) is { } change)
                    patch = patch.Set(setting.Name, change.Value) with { KeepSsoClientSecret = change.KeepClientSecret };
                continue;
            }
            if (setting.PropertyType == typeof(IReadOnlyList<ApiScope>))
            {
                if (ApiScopesInput.Read(body.Value, ref error) is { } scopes) patch = patch.Set(setting.Name, scopes);
                continue;
            }
            object? value = (Nullable.GetUnderlyingType(setting.PropertyType) ?? setting.PropertyType) switch
            {
                var t when t == typeof(int) => fields.Int(name, ref error),
                var t when t == typeof(bool) => fields.Bool(name, ref error),
                var t when t == typeof(string) => fields.String(name, ref error),
                var t => throw new NotSupportedException($"A tenant setting of type {t.Name} needs a reader here."),
            };
            if (value is not null) patch = patch.Set(setting.Name, value);
        }
        var disabled = fields.Bool("disabled", ref error);
        if (error is not null) throw new RequestRejectedException(Problems.BadRequest(error));
        return new TenantChangesRequest(patch, disabled);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(TenantSettings)));
}
