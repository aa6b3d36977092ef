namespace ItemPathOrleans.Api.OpenId;

/// <summary>Why a "Sign in with Microsoft" could not start.</summary>
public enum MicrosoftStartError
{
    None,
    /// <summary>The tenant has no usable Entra application (no sso, no client secret, an endpoint elsewhere).</summary>
    NotAvailable,
    /// <summary>The authority's OpenID metadata cannot be fetched now (503).</summary>
    ProviderUnavailable,
    /// <summary>The authorization request is too long to carry through Entra in a cookie.</summary>
    TooLong,
}
