using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

// The JSON bodies the endpoints read, as the API reference describes them. The endpoints read
// their bodies by hand (JsonBody, within the 16 KiB limit); these records only name the fields
// for the OpenAPI document (Accepts<T>), and must follow the contract when it changes.

/// <summary><c>POST /api/users/login</c>.</summary>
public sealed record LoginRequest(
    [property: Required, StringLength(UsernameRule.MaxLength, MinimumLength = 1)] string Username,
    [property: Required, StringLength(1024, MinimumLength = 1)] string Password);

/// <summary><c>POST /api/users/application-token</c>: the body is optional (an empty body is accepted).</summary>
public sealed record ApplicationTokenRequest([property: StringLength(128)] string? Name);

/// <summary><c>POST /api/users/me/password</c>.</summary>
public sealed record PasswordChangeRequest(
    [property: Required, StringLength(1024, MinimumLength = 1)] string CurrentPassword,
    [property: Required, StringLength(1024, MinimumLength = 1)] string NewPassword);

/// <summary><c>POST /api/users</c>: <c>type</c> user (default) or application; status 0–3.</summary>
public sealed record NewUserRequest(
    [property: Required, StringLength(UsernameRule.MaxLength, MinimumLength = 1)] string Username,
    [property: Required, StringLength(1024, MinimumLength = 1)] string Password,
    string? Email, string? Type, bool? IsAdmin, int? Status, string? Language, string? TimeZone);

/// <summary><c>POST|PATCH /api/users/{id}</c>: fields present are changed, others kept (<c>"email": null</c> removes it).</summary>
public sealed record UserChangesRequest(
    string? Username, string? Password, string? Email, string? Type, bool? IsAdmin, int? Status, string? Language, string? TimeZone);

/// <summary><c>POST /api/tenants</c>.</summary>
public sealed record NewTenantRequest(
    [property: Required] string Id, string? Name,
    [property: Required, StringLength(UsernameRule.MaxLength, MinimumLength = 1)] string AdminUsername,
    [property: Required] string AdminPassword);

/// <summary>
/// <c>POST|PATCH /api/tenants/{id}</c>: settings as top-level fields, each optional; <c>disabled</c>
/// for operator admins only.
/// </summary>
public sealed record TenantChangesRequest(
    int? AccessTokenLifetimeSeconds, int? RefreshTokenLifetimeSeconds, bool? RefreshTokenRotation, int? RefreshReuseGraceSeconds,
    int? MaxSessionsPerUser, int? MaxApplicationTokensPerUser, int? LockoutThreshold, int? LockoutBaseSeconds, int? LockoutMaxSeconds,
    int? LockoutUserThreshold, int? LockoutUserWindowSeconds, int? PasswordMinLength, int? RevocationLatencySeconds,
    JsonElement? Sso, bool? Disabled);

/// <summary>
/// The refresh answer: <c>refreshToken</c> and <c>refreshExpiryDate</c> only with rotation on
/// (the two records <see cref="RefreshJson"/> and <see cref="RotatedRefreshJson"/> in one shape).
/// </summary>
public sealed record RefreshAnswer(string AccessToken, string AccessExpiryDate, string? RefreshToken, string? RefreshExpiryDate);

/// <summary><c>{"kid"}</c>: the tenant's new current key version.</summary>
public sealed record KidJson(string Kid);

/// <summary><c>{"status"}</c> of the health endpoints.</summary>
public sealed record HealthJson(string Status);
