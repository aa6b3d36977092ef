using System.ComponentModel.DataAnnotations;
using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.Tenants;

/// <summary><c>POST /api/tenants</c>: the tenant and its first admin (the rest of the rules are the tenant admin grain's).</summary>
public sealed record NewTenantRequest(
    [property: Required] string? Id,
    string? Name,
    [property: Required, StringLength(FieldLimits.MaxUsernameLength, MinimumLength = 1)] string? AdminUsername,
    [property: Required, StringLength(FieldLimits.MaxPasswordLength, MinimumLength = 1)] string? AdminPassword)
    : JsonRequestBody<NewTenantRequest>
{
    public override string? Validate() =>
        Required(Id, "id") ?? Required(AdminUsername, "adminUsername") ?? Required(AdminPassword, "adminPassword")
        ?? (AdminPassword!.Length > FieldLimits.MaxPasswordLength ? $"adminPassword must be at most {FieldLimits.MaxPasswordLength} characters" : null);
}
