using System.Text.Json.Serialization;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sessions;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// The token endpoint's form (RFC 6749 §4.3.2, §4.4.2 and §6): <c>grant_type</c>, the client's
/// authentication parameters (<see cref="OAuthClientFields"/>), <c>scope</c>, and the grant's own
/// parameters.
/// </summary>
public sealed record OAuthTokenForm(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("client_secret")] string? ClientSecret = null,
    [property: JsonPropertyName("client_assertion")] string? ClientAssertion = null,
    [property: JsonPropertyName("client_assertion_type")] string? ClientAssertionType = null,
    [property: JsonPropertyName("code")] string? Code = null,
    [property: JsonPropertyName("redirect_uri")] string? RedirectUri = null,
    [property: JsonPropertyName("code_verifier")] string? CodeVerifier = null)
    : FormRequestBody<OAuthTokenForm>, IFormRequest<OAuthTokenForm>
{
    public const string PasswordGrant = "password";
    public const string RefreshTokenGrant = "refresh_token";
    public const string ClientCredentialsGrant = "client_credentials";
    public const string AuthorizationCodeGrant = "authorization_code";

    public OAuthClientFields Client => new(ClientId, ClientSecret, ClientAssertion, ClientAssertionType);

    public static OAuthTokenForm? Read(FormFields form, out string? error)
    {
        error = null;
        var grantType = form.Get("grant_type", ref error, required: true);
        var client = OAuthClientFields.Read(form, ref error);
        var scope = form.Get("scope", ref error);
        if (error is null && scope is not null && Contracts.Model.ScopeRequest.Parse(scope) is null)
            error = $"scope must be at most {Contracts.Model.ScopeRequest.MaxValues} space-separated printable values";
        string? username = null, password = null, refreshToken = null, code = null, redirectUri = null, codeVerifier = null;
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
        else if (error is null && grantType == AuthorizationCodeGrant)
        {
            code = form.Get("code", ref error, required: true);
            redirectUri = form.Get("redirect_uri", ref error, required: true);
            codeVerifier = form.Get("code_verifier", ref error, required: true);
        }
        // An unsupported grant type is the endpoint's own answer (unsupported_grant_type).
        return error is null
            ? new OAuthTokenForm(grantType!, username, password, refreshToken, client.ClientId, scope, client.ClientSecret, client.ClientAssertion, client.ClientAssertionType,
                code, redirectUri, codeVerifier)
            : null;
    }
}
