using System.Globalization;
using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// The parameters of an authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1,
/// RFC 7636), as sent: read from the query or the form, each at most once and within
/// <see cref="MaxLength"/>. <see cref="Parameters"/> gives them back to carry the request through
/// the sign-in and consent forms; every step checks them again (<see cref="AuthorizationCheck"/>).
/// </summary>
public sealed record AuthorizationRequest(
    string? ResponseType,
    string? ClientId,
    string? RedirectUri,
    string? Scope,
    string? State,
    string? Nonce,
    string? CodeChallenge,
    string? CodeChallengeMethod,
    string? Prompt,
    string? MaxAge,
    string? LoginHint,
    string? ResponseMode)
{
    /// <summary>The longest value of any parameter (a redirect URI, a state).</summary>
    public const int MaxLength = 2048;

    public const string PromptNone = "none";
    public const string PromptLogin = "login";

    /// <summary>The parameters' names, in the order they are carried.</summary>
    public static readonly string[] Names =
        ["response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "prompt", "max_age", "login_hint", "response_mode"];

    /// <summary>The request, or the reason it cannot be read (a repeated or over-long parameter).</summary>
    public static (AuthorizationRequest? Request, string? Problem) Read(FormFields fields)
    {
        string? error = null;
        var values = new string?[Names.Length];
        for (var i = 0; i < Names.Length; i++)
        {
            values[i] = fields.Get(Names[i], ref error);
            if (values[i] is { Length: > MaxLength }) error ??= $"Parameter '{Names[i]}' is too long";
        }
        if (error is not null) return (null, error);
        return (new AuthorizationRequest(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9], values[10], values[11]), null);
    }

    /// <summary>The parameters that were sent, to carry in a form or a URL.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters()
    {
        string?[] values = [ResponseType, ClientId, RedirectUri, Scope, State, Nonce, CodeChallenge, CodeChallengeMethod, Prompt, MaxAge, LoginHint, ResponseMode];
        var parameters = new List<KeyValuePair<string, string>>(Names.Length);
        for (var i = 0; i < Names.Length; i++)
            if (values[i] is { } value) parameters.Add(new(Names[i], value));
        return parameters;
    }

    /// <summary>The prompt values, space-separated (OpenID Connect Core §3.1.2.1).</summary>
    public IReadOnlyList<string> Prompts => Prompt?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    /// <summary>max_age in seconds; null when absent; -1 when it is not a non-negative integer.</summary>
    public long? MaxAgeSeconds => MaxAge is null ? null
        : long.TryParse(MaxAge, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : -1;

    /// <summary>Whether the response goes back as a form post (OAuth 2.0 Form Post Response Mode) rather than in the query.</summary>
    public bool FormPost => ResponseMode == "form_post";

    /// <summary>The request once the user signed in here: <c>prompt=login</c> and <c>max_age</c> are answered.</summary>
    public AuthorizationRequest SignedIn() => this with
    {
        Prompt = Prompts.Contains(PromptLogin) ? string.Join(' ', Prompts.Where(p => p != PromptLogin)) is { Length: > 0 } rest ? rest : null : Prompt,
        MaxAge = null,
    };
}
