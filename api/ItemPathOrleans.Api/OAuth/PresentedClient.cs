using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.OAuth;

/// <summary>
/// The client authentication an OAuth request presents, before anything is checked against the
/// registration: <c>client_secret_basic</c> (RFC 6749 §2.3.1: the id and secret are each
/// form-url-decoded after the Base64), <c>client_secret_post</c>, <c>private_key_jwt</c> (RFC 7523:
/// the client is the assertion's <c>sub</c>) or a bare <c>client_id</c> (<c>none</c>). More than
/// one method is refused (RFC 6749 §2.3), and so is a <c>client_id</c> other than the method's
/// (<c>invalid_client</c>). A bare <c>client_id</c> that no client could be registered under
/// stays what it always was: a first-party client's name, recorded on its session.
/// </summary>
public sealed record PresentedClient(ClientProof? Proof, OAuthErrorResult? Refusal, bool TriedBasic)
{
    public static PresentedClient Nobody { get; } = new(null, null, false);

    /// <param name="realm">The Basic realm of a refusal (the tenant's issuer).</param>
    public static PresentedClient Read(HttpRequest request, OAuthClientFields form, string realm)
    {
        var basic = AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);
        var methods = (basic ? 1 : 0) + (form.ClientSecret is null ? 0 : 1) + (form.ClientAssertion is null ? 0 : 1);
        if (methods > 1) return new(null, OAuthErrors.BadRequest("Use one client authentication method"), basic);

        if (basic)
        {
            var refused = new PresentedClient(null, OAuthErrors.InvalidClientAnswer(realm), true);
            if (!TryReadBasic(header!.Parameter, out var id, out var secret) || !ClientVocabulary.IsClientId(id)
                || (form.ClientId is not null && form.ClientId != id)) return refused;
            return new(new ClientProof(id, ClientVocabulary.SecretBasic, Secret: secret), null, true);
        }
        if (form.ClientSecret is not null)
        {
            return ClientVocabulary.IsClientId(form.ClientId)
                ? new(new ClientProof(form.ClientId!, ClientVocabulary.SecretPost, Secret: form.ClientSecret), null, false)
                : new(null, OAuthErrors.InvalidClientAnswer(null), false);
        }
        if (form.ClientAssertion is not null)
        {
            var id = AssertionSubject(form.ClientAssertion);
            return ClientVocabulary.IsClientId(id) && (form.ClientId is null || form.ClientId == id)
                ? new(new ClientProof(id!, ClientVocabulary.PrivateKeyJwt, Assertion: form.ClientAssertion), null, false)
                : new(null, OAuthErrors.InvalidClientAnswer(null), false);
        }
        return ClientVocabulary.IsClientId(form.ClientId) ? new(new ClientProof(form.ClientId!, ClientVocabulary.None), null, false) : Nobody;
    }

    private static bool TryReadBasic(string? parameter, out string id, out string secret)
    {
        (id, secret) = ("", "");
        if (parameter is null || parameter.Length > 4096) return false;
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(parameter));
            var colon = text.IndexOf(':');
            if (colon <= 0) return false;
            (id, secret) = (FormDecode(text[..colon]), FormDecode(text[(colon + 1)..]));
            return secret.Length > 0;
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException or UriFormatException)
        {
            return false;
        }
    }

    private static string FormDecode(string part) => Uri.UnescapeDataString(part.Replace('+', ' '));

    /// <summary>The client an assertion speaks for (its <c>sub</c>), read before its signature is checked by the client's grain.</summary>
    private static string? AssertionSubject(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object && payload.RootElement.TryGetProperty("sub", out var sub)
                && sub.ValueKind == JsonValueKind.String ? sub.GetString() : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
