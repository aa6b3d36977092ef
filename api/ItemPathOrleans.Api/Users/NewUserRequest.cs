using System.ComponentModel.DataAnnotations;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Users;

/// <summary>
/// <c>POST /api/users</c>: <c>type</c> user (default) or application; status 0–3. The rest of the
/// rules (the username's characters, the email, the language) are the user registry's.
/// </summary>
public sealed record NewUserRequest(
    [property: Required, StringLength(FieldLimits.MaxUsernameLength, MinimumLength = 1)] string? Username,
    [property: Required, StringLength(FieldLimits.MaxPasswordLength, MinimumLength = 1)] string? Password,
    [property: StringLength(FieldLimits.MaxEmailLength)] string? Email,
    string? Type, bool? IsAdmin, int? Status, string? Language, string? TimeZone)
    : JsonRequestBody<NewUserRequest>
{
    public override string? Validate() =>
        Required(Username, "username") ?? Required(Password, "password")
        ?? (Password!.Length > FieldLimits.MaxPasswordLength ? $"password must be at most {FieldLimits.MaxPasswordLength} characters" : null);

    public NewUser ToNewUser() => new(Username!, Password, Email, Type ?? UserTypes.User, IsAdmin ?? false, Status, Language ?? "en", TimeZone ?? "UTC");
}
