using System.ComponentModel.DataAnnotations;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>
/// <c>POST /api/users/login</c>. A name within the length that breaks the rest of
/// <see cref="UsernameRule"/> is no user's: the authentication grain answers it as an unknown
/// user's, decoy hash and all, so only the lengths are checked here.
/// </summary>
public sealed record LoginRequest(
    [property: Required, StringLength(FieldLimits.MaxUsernameLength, MinimumLength = 1)] string? Username,
    [property: Required, StringLength(FieldLimits.MaxPasswordLength, MinimumLength = 1)] string? Password)
    : JsonRequestBody<LoginRequest>
{
    public override string? Validate() =>
        Required(Username, "username") ?? Required(Password, "password") ?? CredentialRules.Problem(Username!, Password!);
}
