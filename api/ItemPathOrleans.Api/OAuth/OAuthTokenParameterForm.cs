using System.Text.Json.Serialization;
using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// The revocation (RFC 7009) and introspection (RFC 7662) endpoints' form: the token asked about,
/// and the calling client's authentication parameters (<see cref="OAuthClientFields"/>).
/// </summary>
public sealed record OAuthTokenParameterForm(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("token_type_hint")] string? TokenTypeHint,
    [property: JsonPropertyName("client_id")] string? ClientId = null,
    [property: JsonPropertyName("client_secret")] string? ClientSecret = null,
    [property: JsonPropertyName("client_assertion")] string? ClientAssertion = null,
    [property: JsonPropertyName("client_assertion_type")] string? ClientAssertionType = null)
    : FormRequestBody<OAuthTokenParameterForm>, IFormRequest<OAuthTokenParameterForm>
{
    public static OAuthTokenParameterForm? Read(FormFields form, out string? error)
    {
        error = null;
        var token = form.Get("token", ref error, required: true);
        var client = OAuthClientFields.Read(form, ref error);
        return error is null
            ? new OAuthTokenParameterForm(token!, TokenTypeHint: null, client.ClientId, client.ClientSecret, client.ClientAssertion, client.ClientAssertionType)
            : null;
    }

    public OAuthClientFields Client => new(ClientId, ClientSecret, ClientAssertion, ClientAssertionType);
}
