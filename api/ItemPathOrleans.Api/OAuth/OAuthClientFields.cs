using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// The client authentication parameters of an OAuth form: <c>client_id</c>, <c>client_secret</c>
/// (RFC 6749 §2.3.1), <c>client_assertion</c> and <c>client_assertion_type</c> (RFC 7523 §2.2).
/// </summary>
public sealed record OAuthClientFields(string? ClientId, string? ClientSecret, string? ClientAssertion, string? ClientAssertionType)
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>Longest value looked at; the form's 16 KiB bounds them all anyway.</summary>
    public const int MaxValueLength = 8 * 1024;

    public static OAuthClientFields Read(FormFields form, ref string? error)
    {
        var clientId = form.Get("client_id", ref error);
        if (error is null && clientId is not null && !IsClientId(clientId))
            error = $"client_id must be 1 to {FieldLimits.MaxClientIdLength} printable ASCII characters";
        var secret = form.Get("client_secret", ref error);
        var assertion = form.Get("client_assertion", ref error);
        var assertionType = form.Get("client_assertion_type", ref error);
        if (error is null && (secret?.Length > MaxValueLength || assertion?.Length > MaxValueLength))
            error = $"client_secret and client_assertion are limited to {MaxValueLength} characters";
        if (error is null && assertion is not null && assertionType != JwtBearerAssertionType)
            error = $"client_assertion_type must be {JwtBearerAssertionType}";
        return new OAuthClientFields(clientId, secret, assertion, assertionType);
    }

    /// <summary>RFC 6749 appendix A.1: <c>client_id</c> is printable ASCII (VSCHAR); bounded here.</summary>
    public static bool IsClientId(string value) =>
        value.Length <= FieldLimits.MaxClientIdLength && value.All(c => c is >= '\x20' and <= '\x7e');
}
