using ItemPathOrleans.ClusterNode.OpenId;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// An authorization request checked against its client's registration and the tenant. Two kinds
/// of refusal: <see cref="PageError"/> when the client or the redirect URI cannot be trusted
/// (shown on an error page, never redirected: RFC 6749 §4.1.2.1), and <see cref="Error"/> (an
/// OAuth error code with its description) to send back to the verified redirect URI.
/// </summary>
public sealed record AuthorizationCheck(ClientInfo? Client, string? GrantedScope, string? PageError, string? Error, string? ErrorDescription)
{
    public bool Passed => PageError is null && Error is null;

    public static AuthorizationCheck Of(AuthorizationRequest request, ClientInfo? client, TenantSettings settings)
    {
        if (request.ClientId is null) return Page("The request names no client (client_id).");
        if (client is null || client.Disabled) return Page("The client is not registered in this tenant, or it is disabled.");
        if (request.RedirectUri is null || !client.RedirectUris.Contains(request.RedirectUri, StringComparer.Ordinal))
            return Page("The redirect URI is not one the client registered.");

        if (request.ResponseType != "code") return Refuse(client, "unsupported_response_type", "Only response_type=code is supported");
        if (!client.GrantTypes.Contains(ClientVocabulary.AuthorizationCode)) return Refuse(client, "unauthorized_client", "The client may not use the authorization code flow");
        if (request.ResponseMode is not (null or "query" or "form_post")) return Refuse(client, "invalid_request", "response_mode must be query or form_post");
        if (request.CodeChallenge is null) return Refuse(client, "invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256");
        if (request.CodeChallengeMethod != Pkce.S256) return Refuse(client, "invalid_request", "code_challenge_method must be S256");
        if (!Pkce.IsChallenge(request.CodeChallenge)) return Refuse(client, "invalid_request", "code_challenge must be the base64url SHA-256 of the verifier (43 characters)");
        var prompts = request.Prompts;
        if (prompts.Any(p => p is not (AuthorizationRequest.PromptNone or AuthorizationRequest.PromptLogin or "consent" or "select_account")))
            return Refuse(client, "invalid_request", "Unknown prompt value");
        if (prompts.Contains(AuthorizationRequest.PromptNone) && prompts.Count > 1)
            return Refuse(client, "invalid_request", "prompt=none cannot be combined with another value");
        if (request.MaxAgeSeconds is < 0) return Refuse(client, "invalid_request", "max_age must be a non-negative integer");
        if (ScopeRequest.Grant(request.Scope, client, settings) is not { } granted)
            return Refuse(client, "invalid_scope", "The requested scope is not allowed for this client");
        return new AuthorizationCheck(client, granted, null, null, null);
    }

    private static AuthorizationCheck Page(string message) => new(null, null, message, null, null);

    private static AuthorizationCheck Refuse(ClientInfo client, string error, string description) => new(client, null, null, error, description);
}
