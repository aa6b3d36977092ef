using System.Text.Json.Serialization;
using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>The revocation (RFC 7009) and introspection (RFC 7662) endpoints' form: the token asked about.</summary>
public sealed record OAuthTokenParameterForm(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("token_type_hint")] string? TokenTypeHint)
    : FormRequestBody<OAuthTokenParameterForm>, IFormRequest<OAuthTokenParameterForm>
{
    public static OAuthTokenParameterForm? Read(FormFields form, out string? error)
    {
        error = null;
        var token = form.Get("token", ref error, required: true);
        return error is null ? new OAuthTokenParameterForm(token!, TokenTypeHint: null) : null;
    }
}
