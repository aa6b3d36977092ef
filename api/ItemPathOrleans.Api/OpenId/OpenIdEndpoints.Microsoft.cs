using System.Globalization;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.SignIn;
using ItemPathOrleans.Api.Sso;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Api.OpenId;

/// <summary>
/// "Sign in with Microsoft" on the sign-in page (<see cref="MicrosoftSignIn"/>): the button's post
/// starts the flow at Entra, and Entra's callback signs the user into a browser session, after
/// which the authorization request goes on exactly as after the password form.
/// </summary>
public static partial class OpenIdEndpoints
{
    private const string MicrosoftFailedMessage = "We could not sign you in with Microsoft. Try again, or sign in with your username and password.";

    private static async Task<IResult> StartMicrosoftSignIn(HttpContext context, OpenIdClient openId, FormProtection forms, MicrosoftSignIn microsoft,
        IOptions<TokensOptions> tokens)
    {
        var (fields, request, _, refused) = await ReadCheckedFormAsync(context, openId, tokens.Value);
        if (refused is not null) return refused;
        var tenant = context.Tenant();

        string? error = null;
        if (!forms.Verify(context, OpenIdPages.SignInPurpose(tenant.Id), fields.Get(FormProtection.FieldName, ref error)))
            return OpenIdPages.SignIn(context, tenant, request, forms, error: "The form expired. Please sign in again.", status: StatusCodes.Status400BadRequest,
                credentialsError: false);

        var start = await microsoft.StartAsync(context, tenant, request);
        switch (start.Error)
        {
            case MicrosoftStartError.None:
                OpenIdPages.NoStore(context.Response);
                return TypedResults.Redirect(start.Location!);
            case MicrosoftStartError.ProviderUnavailable:
                return Unavailable(context, tenant, start.RetryAfterSeconds);
            case MicrosoftStartError.TooLong:
                return OpenIdPages.Error(context, tenant.Info.Name,
                    "This sign-in request is too long to continue with Microsoft. Sign in with your username and password.");
            default:
                return OpenIdPages.SignIn(context, tenant, request, forms, error: "Sign in with Microsoft is not available for this organization.",
                    status: StatusCodes.Status400BadRequest, credentialsError: false);
        }
    }

    private static async Task<IResult> MicrosoftCallback(HttpContext context, OpenIdClient openId, FormProtection forms, MicrosoftSignIn microsoft,
        MasterKeySeal seal, TimeProvider time, IOptions<TokensOptions> tokens)
    {
        var tenant = context.Tenant();
        var query = FormFields.Parse(context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : "");
        string? malformed = null;
        var state = query.Get("state", ref malformed);
        var code = query.Get("code", ref malformed);
        var entraError = query.Get("error", ref malformed);
        if (state is { Length: > AuthorizationRequest.MaxLength } || code is { Length: > MaxCodeLength }) malformed ??= "too long";

        // Taken whatever follows: a state is good for one callback, in the browser that started it.
        var pending = PendingMicrosoftSignIn.Take(context, tenant.Id, malformed is null ? state : null, seal, time.GetUtcNow());
        if (pending?.Request() is not { } request)
            return OpenIdPages.Error(context, tenant.Info.Name,
                "This sign-in with Microsoft has expired or was already used. Go back to the application and sign in again.");
        var (check, refused) = await CheckAsync(context, request, openId, tokens.Value);
        if (refused is not null) return refused;

        var outcome = await microsoft.CompleteAsync(context, tenant, pending, code, entraError, request.ClientId);
        switch (outcome.Refusal)
        {
            case SsoRefusal.None:
                var session = await OpenBrowserSessionAsync(context, outcome.Login!, openId);
                return await ContinueAsync(context, request.SignedIn(), check, session, consented: false, openId, forms, time, tokens.Value);
            case SsoRefusal.Throttled:
                var seconds = (int)Math.Ceiling(outcome.RetryAfter.TotalSeconds);
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return OpenIdPages.SignIn(context, tenant, request, forms,
                    error: $"Too many failed sign-in attempts. Try again in {seconds} seconds.", status: StatusCodes.Status429TooManyRequests,
                    credentialsError: false);
            case SsoRefusal.ProviderUnavailable:
                return Unavailable(context, tenant, (int)Math.Ceiling(outcome.RetryAfter.TotalSeconds));
            default:
                // One message for every refusal (the log and the security events say which): an
                // unknown account, a deactivated user, a token that failed a check, Entra's error.
                return OpenIdPages.SignIn(context, tenant, request, forms, error: MicrosoftFailedMessage, status: StatusCodes.Status401Unauthorized,
                    credentialsError: false);
        }
    }

    /// <summary>The longest code accepted from Entra's callback (Entra's are about 1,000 characters).</summary>
    private const int MaxCodeLength = 4_096;

    private static IResult Unavailable(HttpContext context, RequestTenant tenant, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, retryAfterSeconds).ToString(CultureInfo.InvariantCulture);
        return OpenIdPages.Error(context, tenant.Info.Name, "Microsoft sign-in cannot be reached right now. Please try again in a moment.",
            StatusCodes.Status503ServiceUnavailable);
    }
}
