using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>A step of a code-flow round trip failed in transport (refused, reset, timed out): the step and the cause.</summary>
public sealed class StepException(string step, Exception inner) : Exception(step, inner)
{
    public string Step { get; } = step;
}

/// <summary>
/// One authorization code round trip with PKCE (S256) through the hosted sign-in page, as a
/// relying party and a new browser (no cookies, so no browser session) do it:
/// <list type="number">
/// <item>GET <c>{issuer}/oauth/authorize</c> with a fresh verifier, state and nonce: a 302 to the sign-in page;</item>
/// <item>GET the sign-in page: 200, its hidden fields (the request and the CSRF token) and the <c>itempath_csrf</c> cookie;</item>
/// <item>POST the form with the username and password and that cookie: a 302 to the redirect URI with
/// <c>code</c>, the same <c>state</c> and <c>iss</c> the issuer's;</item>
/// <item>POST <c>{issuer}/oauth/token</c>, <c>grant_type=authorization_code</c> with the code, the redirect
/// URI, the verifier and the client id (a public client): 200 with an <c>access_token</c> and an
/// <c>id_token</c> carrying the nonce.</item>
/// </list>
/// Redirects are read from the <c>Location</c> header and never followed to the client. The result
/// is null when every step succeeded, else "step: what went wrong".
/// </summary>
public sealed partial class CodeFlow(ApiClient api, string issuer)
{
    public const string CsrfCookie = "itempath_csrf";

    /// <summary>What the flow's steps are called in the error book.</summary>
    public const string AuthorizeStep = "authorize", PageStep = "sign-in page", SignInStep = "sign-in", TokenStep = "token";

    /// <summary>The issuer the discovery document names, which <c>iss</c> must equal (RFC 9207).</summary>
    public string Issuer { get; } = issuer;

    private static readonly string RedirectPrefix = Options.CodeFlowRedirectUri + "?";

    /// <summary>The parts of the authorization request that are the same for every round trip of a client.</summary>
    public static string AuthorizeQueryPrefix(string clientId) =>
        "response_type=code&client_id=" + Uri.EscapeDataString(clientId)
        + "&redirect_uri=" + Uri.EscapeDataString(Options.CodeFlowRedirectUri)
        + "&scope=" + Uri.EscapeDataString(Options.CodeFlowScope)
        + "&code_challenge_method=S256";

    public async Task<string?> RoundTripAsync(VirtualUser user, CancellationToken ct)
    {
        var step = AuthorizeStep;
        try
        {
            // Values base64url-encoded are safe in a query and a form as they are.
            var verifier = RandomValue(32);
            var state = RandomValue(16);
            var nonce = RandomValue(16);
            var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

            // 1. The authorization request: no browser session, so a redirect to the sign-in page.
            var authorize = new Uri(api.AuthorizeUri + "?" + user.AuthorizeQueryPrefix + "&state=" + state + "&nonce=" + nonce + "&code_challenge=" + challenge);
            using var authorizeRequest = new HttpRequestMessage(HttpMethod.Get, authorize);
            var reply = await api.SendAsync(authorizeRequest, user.Buffer, null, ct).ConfigureAwait(false);
            if (reply.Status != HttpStatusCode.Redirect || reply.Location is null) return Unexpected(step, reply, user, "a redirect to the sign-in page");
            var page = new Uri(authorize, reply.Location);
            if (page.AbsolutePath != api.SignInUri.AbsolutePath) return step + ": " + RedirectedElsewhere(page);

            // 2. The sign-in page: the form's hidden fields and the CSRF cookie they are bound to.
            step = PageStep;
            using var pageRequest = new HttpRequestMessage(HttpMethod.Get, page);
            reply = await api.SendAsync(pageRequest, user.Buffer, CsrfCookie, ct).ConfigureAwait(false);
            if (reply.Status != HttpStatusCode.OK) return Unexpected(step, reply, user, "200");
            if (reply.Cookie is not { Length: > 0 } csrfCookie) return step + ": no " + CsrfCookie + " cookie";
            var html = Encoding.UTF8.GetString(user.Buffer.Bytes, 0, reply.Length);
            var form = new StringBuilder(1024);
            var hidden = 0;
            foreach (Match input in HiddenInput().Matches(html))
            {
                var name = WebUtility.HtmlDecode(input.Groups["name"].Value);
                if (name is "username" or "password") continue;
                if (form.Length > 0) form.Append('&');
                form.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(WebUtility.HtmlDecode(input.Groups["value"].Value)));
                hidden++;
            }
            if (hidden == 0) return step + ": no hidden fields in the page";
            form.Append(user.CredentialsForm);

            // 3. The form: a 302 to the client's redirect URI with the code, the state and the issuer.
            step = SignInStep;
            using var post = ApiClient.FormRequest(api.SignInUri, Encoding.ASCII.GetBytes(form.ToString()));
            post.Headers.TryAddWithoutValidation("Cookie", CsrfCookie + "=" + csrfCookie);
            reply = await api.SendAsync(post, user.Buffer, null, ct).ConfigureAwait(false);
            if (reply.Status != HttpStatusCode.Redirect || reply.Location is null) return Unexpected(step, reply, user, "a redirect to the client");
            var callback = reply.Location.OriginalString;
            if (!callback.StartsWith(RedirectPrefix, StringComparison.Ordinal)) return step + ": " + RedirectedElsewhere(reply.Location);
            string? code = null, returnedState = null, iss = null, error = null, errorDescription = null;
            foreach (var (name, value) in QueryParameters(callback.AsSpan(RedirectPrefix.Length)))
            {
                switch (name)
                {
                    case "code": code = value; break;
                    case "state": returnedState = value; break;
                    case "iss": iss = value; break;
                    case "error": error = value; break;
                    case "error_description": errorDescription = value; break;
                }
            }
            if (error is not null) return $"{step}: redirected with error={error}" + (errorDescription is null ? "" : ": " + errorDescription);
            if (string.IsNullOrEmpty(code)) return step + ": redirected without a code";
            if (returnedState != state) return step + ": the state came back changed";
            if (iss != Issuer) return step + ": iss is not the issuer of the discovery document";

            // 4. The code redeemed by the public client with its verifier.
            step = TokenStep;
            using var redeem = ApiClient.FormRequest(api.IssuerTokenUri, Encoding.ASCII.GetBytes(
                "grant_type=authorization_code&code=" + Uri.EscapeDataString(code)
                + "&redirect_uri=" + Uri.EscapeDataString(Options.CodeFlowRedirectUri)
                + "&code_verifier=" + verifier
                + "&client_id=" + Uri.EscapeDataString(user.ClientId!)));
            reply = await api.SendAsync(redeem, user.Buffer, null, ct).ConfigureAwait(false);
            var body = user.Buffer.Bytes.AsSpan(0, reply.Length);
            if (reply.Status != HttpStatusCode.OK) return step + ": " + ErrorBook.DescribeStatus(reply.Status, body);
            if (!Runner.HasTopLevelString(body, "access_token"u8)) return step + ": 200 without an access_token";
            var idToken = Runner.TopLevelString(body, "id_token"u8);
            if (string.IsNullOrEmpty(idToken)) return step + ": 200 without an id_token";
            if (NonceOf(idToken) != nonce) return step + ": the id_token does not carry the request's nonce";
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new StepException(step, e);
        }
    }

    /// <summary>What a step answered when it should have answered <paramref name="expected"/>: the status and the page's or problem's message.</summary>
    private static string Unexpected(string step, Reply reply, VirtualUser user, string expected)
    {
        var body = user.Buffer.Bytes.AsSpan(0, reply.Length);
        if (PageMessage(body) is { } message) return $"{step}: {(int)reply.Status} {message}";
        if ((int)reply.Status is >= 200 and < 400) return $"{step}: {(int)reply.Status} {reply.Status}, expected {expected}";
        return step + ": " + ErrorBook.DescribeStatus(reply.Status, body);
    }

    /// <summary>A redirect where the flow should not go: to the client with an error, or elsewhere.</summary>
    private static string RedirectedElsewhere(Uri location)
    {
        var text = location.OriginalString;
        if (text.StartsWith(RedirectPrefix, StringComparison.Ordinal))
        {
            foreach (var (name, value) in QueryParameters(text.AsSpan(RedirectPrefix.Length)))
                if (name == "error") return "redirected to the client with error=" + value;
            return "redirected to the client, not to the sign-in page";
        }
        return "redirected to " + location.GetLeftPart(UriPartial.Path);
    }

    /// <summary>The message a page shows in its alert (a failed sign-in, an error page), or null.</summary>
    private static string? PageMessage(ReadOnlySpan<byte> body)
    {
        var start = body.IndexOf("role=\"alert\">"u8);
        if (start < 0) return null;
        var text = body[(start + "role=\"alert\">".Length)..];
        var end = text.IndexOf("</"u8);
        if (end < 0) return null;
        return WebUtility.HtmlDecode(Encoding.UTF8.GetString(text[..end])).Trim();
    }

    /// <summary>The name and value of each parameter of a query (without its <c>?</c>), unescaped.</summary>
    internal static List<(string Name, string Value)> QueryParameters(ReadOnlySpan<char> query)
    {
        var parameters = new List<(string, string)>(4);
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty) continue;
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? [] : pair[(eq + 1)..];
            parameters.Add((Unescape(name), Unescape(value)));
        }
        return parameters;
    }

    private static string Unescape(ReadOnlySpan<char> text) => Uri.UnescapeDataString(text.ToString().Replace('+', ' '));

    /// <summary>The <c>nonce</c> of a JWT's payload, read (not validated: the relying party's own cost, not the server's).</summary>
    internal static string? NonceOf(string jwt)
    {
        var first = jwt.IndexOf('.');
        var second = first < 0 ? -1 : jwt.IndexOf('.', first + 1);
        if (second < 0) return null;
        var payload = jwt.AsSpan(first + 1, second - first - 1);
        if (!Base64Url.IsValid(payload, out var length)) return null;
        var bytes = new byte[length];
        if (!Base64Url.TryDecodeFromChars(payload, bytes, out var written)) return null;
        return Runner.TopLevelString(bytes.AsSpan(0, written), "nonce"u8);
    }

    private static string RandomValue(int bytes)
    {
        Span<byte> random = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(random);
        return Base64Url.EncodeToString(random);
    }

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]*)\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HiddenInput();
}
