namespace ItemPathOrleans.Api.Sso;

/// <summary>Why a single sign-on was not a login.</summary>
public enum SsoRefusal
{
    None,
    /// <summary>The client address is past its failed-login budget (429).</summary>
    Throttled,
    /// <summary>The request cannot be served as asked: no sso setting, an ID token too long (400).</summary>
    BadRequest,
    /// <summary>The identity provider's metadata or keys cannot be fetched (503).</summary>
    ProviderUnavailable,
    /// <summary>The ID token, or the account it names, is refused (401); it counts as a failed login.</summary>
    Refused,
}
