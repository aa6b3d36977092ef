using System.Globalization;
using System.Text.Json.Serialization;
using ItemPathOrleans.Api.ProblemAnswers;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>The token endpoint's form (RFC 6749 §4.3.2 and §6).</summary>
public sealed record OAuthTokenForm(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("scope")] string? Scope);

/// <summary>The revocation (RFC 7009) and introspection (RFC 7662) endpoints' form.</summary>
public sealed record OAuthTokenParameterForm(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("token_type_hint")] string? TokenTypeHint);

/// <summary>A token answer (RFC 6749 §5.1); <c>refresh_token</c> only when a new one is issued.</summary>
public sealed record OAuthTokenJson(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("refresh_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken);

/// <summary>An error answer (RFC 6749 §5.2).</summary>
public sealed record OAuthErrorJson(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorDescription);

/// <summary>An introspection answer (RFC 7662 §2.2): only <c>active</c> when it is false.</summary>
public sealed record OAuthIntrospectionJson(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("sub"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sub = null,
    [property: JsonPropertyName("username"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonPropertyName("token_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenType = null,
    [property: JsonPropertyName("token_use"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenUse = null,
    [property: JsonPropertyName("exp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Exp = null,
    [property: JsonPropertyName("iat"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Iat = null,
    [property: JsonPropertyName("iss"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Iss = null,
    [property: JsonPropertyName("tid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Tid = null,
    [property: JsonPropertyName("sid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sid = null,
    [property: JsonPropertyName("client_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null)
{
    public static OAuthIntrospectionJson Inactive { get; } = new(false);
}

/// <summary>
/// The RFC 8414 authorization server metadata of one tenant. A further member is one more
/// property here (null ones are left out) and one more argument where <c>OAuthApi</c> builds it.
/// </summary>
public sealed record OAuthMetadataJson(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("introspection_endpoint")] string IntrospectionEndpoint,
    [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("revocation_endpoint_auth_methods_supported")] IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    // Required by RFC 8414; empty: there is no authorization endpoint.
    [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
    // The tenant's public keys (ES256 tenants; an empty set for HS256 ones, whose keys are secret).
    [property: JsonPropertyName("jwks_uri")] string JwksUri);

/// <summary>
/// An OAuth error answer: the RFC 6749 §5.2 body, never cached, with <c>Retry-After</c> or
/// <c>WWW-Authenticate</c> where they apply. Descriptions are fixed texts, never echoed input.
/// </summary>
public sealed class OAuthErrorResult(int status, string error, string? description, int? retryAfterSeconds = null, string? wwwAuthenticate = null) : IResult
{
    public int StatusCode => status;
    public string Error => error;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (wwwAuthenticate is not null) httpContext.Response.Headers.WWWAuthenticate = wwwAuthenticate;
        return WriteAsync(httpContext, status, error, description, retryAfterSeconds);
    }

    /// <summary>Writes an error answer: for the endpoints' own errors and for every other refusal of an OAuth request (<see cref="ProblemResult"/>).</summary>
    public static Task WriteAsync(HttpContext context, int status, string error, string? description, int? retryAfterSeconds = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        if (retryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return response.WriteAsJsonAsync(new OAuthErrorJson(error, description is null ? null : Printable(description)));
    }

    /// <summary>RFC 6749 §5.2 allows %x20-21 / %x23-5B / %x5D-7E in a description; anything else becomes '?'.</summary>
    private static string Printable(string description) =>
        description.All(IsAllowed) ? description : string.Create(description.Length, description, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++) span[i] = IsAllowed(text[i]) ? text[i] : '?';
        });

    private static bool IsAllowed(char c) => c is >= '\x20' and <= '\x7e' and not '"' and not '\\';
}

public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string ServerError = "server_error";
    public const string InvalidGrant = "invalid_grant";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidToken = "invalid_token";
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    public static OAuthErrorResult BadRequest(string description) => new(StatusCodes.Status400BadRequest, InvalidRequest, description);

    public static OAuthErrorResult Grant(string description, TimeSpan? retryAfter = null) =>
        new(StatusCodes.Status400BadRequest, InvalidGrant, description,
            retryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : null);

    /// <summary>A caller of introspection without a usable application token (RFC 6750 §3.1).</summary>
    public static OAuthErrorResult Unauthorized(string description, bool tokenPresented) => new(
        StatusCodes.Status401Unauthorized, tokenPresented ? InvalidToken : InvalidRequest, description,
        wwwAuthenticate: tokenPresented ? $"Bearer error=\"invalid_token\", error_description=\"{description}\"" : "Bearer");

    public static OAuthErrorResult Unavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, TemporarilyUnavailable, "The service is temporarily unavailable; retry shortly", retryAfterSeconds: Problems.RetryAfterSeconds);
}
