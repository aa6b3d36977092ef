using System.Text.Json.Serialization;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sessions;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// The token endpoint's form (RFC 6749 §4.3.2 and §6): <c>grant_type</c>, an optional
/// <c>client_id</c> (printable ASCII, bounded), and the grant's own parameters.
/// </summary>
public sealed record OAuthTokenForm(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("scope")] string? Scope)
    : FormRequestBody<OAuthTokenForm>, IFormRequest<OAuthTokenForm>
{
    public const string PasswordGrant = "password";
    public const string RefreshTokenGrant = "refresh_token";

    public static OAuthTokenForm? Read(FormFields form, out string? error)
    {
        error = null;
        var grantType = form.Get("grant_type", ref error, required: true);
        var clientId = form.Get("client_id", ref error);
        if (error is null && clientId is not null && !IsClientId(clientId))
            error = $"client_id must be 1 to {FieldLimits.MaxClientIdLength} printable ASCII characters";
        string? username = null, password = null, refreshToken = null;
        if (error is null && grantType == PasswordGrant)
        {
            username = form.Get("username", ref error, required: true);
            password = form.Get("password", ref error, required: true);
            error ??= CredentialRules.Problem(username!, password!);
        }
        else if (error is null && grantType == RefreshTokenGrant)
        {
            refreshToken = form.Get("refresh_token", ref error, required: true);
        }
        // An unsupported grant type is the endpoint's own answer (unsupported_grant_type).
        return error is null ? new OAuthTokenForm(grantType!, username, password, refreshToken, clientId, Scope: null) : null;
    }

    /// <summary>RFC 6749 appendix A.1: <c>client_id</c> is printable ASCII (VSCHAR); bounded here.</summary>
    private static bool IsClientId(string value) =>
        value.Length <= FieldLimits.MaxClientIdLength && value.All(c => c is >= '\x20' and <= '\x7e');
}
