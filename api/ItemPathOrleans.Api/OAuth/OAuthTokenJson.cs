using System.Text.Json.Serialization;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>A token answer (RFC 6749 §5.1); <c>refresh_token</c> only when a new one is issued, <c>scope</c> when scopes were granted, <c>id_token</c> for a code with <c>openid</c>.</summary>
public sealed record OAuthTokenJson(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("refresh_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope = null,
    [property: JsonPropertyName("id_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? IdToken = null);
