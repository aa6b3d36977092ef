using System.ComponentModel.DataAnnotations;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Users;

/// <summary><c>POST|PATCH /api/users/{id}</c>: fields present are changed, others kept (<c>"email": null</c> removes it).</summary>
public sealed record UserChangesRequest(
    [property: StringLength(FieldLimits.MaxUsernameLength, MinimumLength = 1)] string? Username,
    [property: StringLength(FieldLimits.MaxPasswordLength, MinimumLength = 1)] string? Password,
    [property: StringLength(FieldLimits.MaxEmailLength)] string? Email,
    string? Type, bool? IsAdmin, int? Status, string? Language, string? TimeZone)
    : JsonRequestBody<UserChangesRequest>
{
    public override string? Validate()
    {
        // A password is changed, never removed.
        if (Present.Contains("password") && Password is null) return "Field 'password' must be a string";
        return Password is { Length: > FieldLimits.MaxPasswordLength } ? $"password must be at most {FieldLimits.MaxPasswordLength} characters" : null;
    }

    public UserChanges ToChanges() => new(Username, Password, Email, Present.Contains("email"), Type, IsAdmin, Status, Language, TimeZone);
}
