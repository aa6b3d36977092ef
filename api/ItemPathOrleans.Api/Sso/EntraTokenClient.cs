using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ItemPathOrleans.ClusterNode.Diagnostics;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// The back channel of "Sign in with Microsoft": redeems an authorization code at the token
/// endpoint that the authority's metadata names, as a confidential client (<c>client_secret_post</c>,
/// with the PKCE <c>code_verifier</c>). Under the same rules as the metadata fetches: allowed hosts
/// only, no redirects, bounded in size and time. The secret and the tokens answered are never
/// logged.
/// </summary>
public sealed partial class EntraTokenClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly SsoOptions _options;
    private readonly ILogger<EntraTokenClient> _logger;

    public EntraTokenClient(IOptions<SsoOptions> options, ILogger<EntraTokenClient> logger)
    {
        _options = options.Value;
        _logger = logger;
        _http = SsoBackChannel.Create(_options);
    }

    /// <param name="tokenEndpoint">The metadata's <c>token_endpoint</c>.</param>
    public async Task<EntraCodeRedemption> RedeemAsync(
        string tenant, string tokenEndpoint, string clientId, string clientSecret, string code, string redirectUri, string codeVerifier, string scope,
        CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(tokenEndpoint, UriKind.Absolute, out var endpoint) || !_options.Allows(endpoint))
        {
            LogEndpointNotAllowed(_logger, LogText.Escape(tenant));
            return EntraCodeRedemption.NotReachable;
        }
        using var form = new FormUrlEncodedContent(
        [
            new("grant_type", "authorization_code"),
            new("client_id", clientId),
            new("client_secret", clientSecret),
            new("code", code),
            new("redirect_uri", redirectUri),
            new("code_verifier", codeVerifier),
            new("scope", scope),
        ]);
        try
        {
            using var response = await _http.PostAsync(endpoint, form, cancellationToken);
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                LogEndpointFailed(_logger, null, LogText.Escape(tenant), (int)response.StatusCode);
                return EntraCodeRedemption.NotReachable;
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return StringMember(body, "id_token") is { Length: > 0 } idToken
                    ? new EntraCodeRedemption(idToken, null, false)
                    : EntraCodeRedemption.Refused("no_id_token");
            }
            var error = StringMember(body, "error") is { } named && ErrorCode().IsMatch(named) ? named : "invalid_response";
            if (error == "invalid_client") LogClientRefused(_logger, LogText.Escape(tenant));
            return EntraCodeRedemption.Refused(error);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogEndpointFailed(_logger, ex, LogText.Escape(tenant), 0);
            return EntraCodeRedemption.NotReachable;
        }
    }

    public void Dispose() => _http.Dispose();

    private static string? StringMember(string json, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // RFC 6749 §5.2: an error code is a short ASCII word; anything else is not passed on.
    [GeneratedRegex("^[a-z_]{1,64}$")]
    private static partial Regex ErrorCode();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entra's token endpoint could not redeem a sign-in code of tenant {Tenant} (status {Status}, 0: no answer)")]
    private static partial void LogEndpointFailed(ILogger logger, Exception? exception, string tenant, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Entra refused the client credentials of tenant {Tenant} (invalid_client): its sso.clientId or sso.clientSecret is wrong or expired")]
    private static partial void LogClientRefused(ILogger logger, string tenant);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The token endpoint that the OpenID metadata of tenant {Tenant}'s authority names is not on an allowed host")]
    private static partial void LogEndpointNotAllowed(ILogger logger, string tenant);
}
