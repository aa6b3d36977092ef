using System.ComponentModel.DataAnnotations;
using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// The body of <c>POST /api/users/sso/login</c>: the ID token from MSAL, and the nonce it was
/// requested with, if any. The ID token's longest length is the operator's
/// (<c>Sso:MaxIdTokenLength</c>), checked where the options are known (<see cref="SsoClient"/>).
/// </summary>
public sealed record SsoLoginRequest(
    [property: Required, MinLength(1)] string? IdToken,
    [property: StringLength(FieldLimits.MaxNonceLength, MinimumLength = 1)] string? Nonce = null)
    : JsonRequestBody<SsoLoginRequest>
{
    public override string? Validate() =>
        Required(IdToken, "idToken")
        ?? (Nonce is { Length: 0 or > FieldLimits.MaxNonceLength } ? $"nonce must be 1 to {FieldLimits.MaxNonceLength} characters" : null);
}
