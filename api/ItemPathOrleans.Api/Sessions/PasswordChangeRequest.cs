using System.ComponentModel.DataAnnotations;
using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.Sessions;

/// <summary><c>POST /api/users/me/password</c>.</summary>
public sealed record PasswordChangeRequest(
    [property: Required, StringLength(FieldLimits.MaxPasswordLength, MinimumLength = 1)] string? CurrentPassword,
    [property: Required, StringLength(FieldLimits.MaxPasswordLength, MinimumLength = 1)] string? NewPassword)
    : JsonRequestBody<PasswordChangeRequest>
{
    public override string? Validate() =>
        Required(CurrentPassword, "currentPassword") ?? Required(NewPassword, "newPassword")
        ?? (CurrentPassword!.Length is 0 or > FieldLimits.MaxPasswordLength || NewPassword!.Length is 0 or > FieldLimits.MaxPasswordLength
            ? $"passwords must be 1 to {FieldLimits.MaxPasswordLength} characters"
            : null);
}
