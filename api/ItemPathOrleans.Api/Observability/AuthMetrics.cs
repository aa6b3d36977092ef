using System.Diagnostics.Metrics;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Observability;

/// <summary>
/// The outcomes an API node answers, counted where they are answered: logins, refreshes and
/// every refusal by reason. The API sees every outcome of the calls it makes, so these are right
/// however silos and API nodes are spread; what only the cluster knows (a lock starting, a reuse
/// detected, sessions ended by a cascade) is counted in the silo (<c>SessionMetrics</c>).
/// Any front door (the ItemPath endpoints, an OAuth token endpoint) calls the same methods.
/// Labels come from small fixed sets: never a tenant, a user, an address or a token.
/// </summary>
public sealed class AuthMetrics
{
    public const string MeterName = "ItemPathOrleans.Api";

    /// <summary>Outcomes of a login (the <c>outcome</c> label).</summary>
    public static class LoginOutcomes
    {
        public const string Succeeded = "succeeded";
        public const string BadCredentials = "bad_credentials";
        public const string LockedOut = "locked_out";
        public const string RateLimited = "rate_limited";
        public const string InvalidRequest = "invalid_request";
    }

    /// <summary>Reasons of a refusal (the <c>reason</c> label).</summary>
    public static class Reasons
    {
        public const string BadCredentials = "bad_credentials";
        public const string LockedOut = "locked_out";
        public const string RateLimited = "rate_limited";
        public const string InvalidRequest = "invalid_request";
        public const string MissingToken = "missing_token";
        public const string TokenExpired = "token_expired";
        public const string TokenRevoked = "token_revoked";
        public const string BadSignature = "bad_signature";
        public const string WrongTokenType = "wrong_token_type";
        public const string UserInactive = "user_inactive";
        public const string InvalidToken = "invalid_token";
        public const string Forbidden = "forbidden";
        public const string Conflict = "conflict";
        public const string Unavailable = "unavailable";
    }

    private readonly Counter<long> _logins;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _failures;

    public AuthMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _logins = meter.CreateCounter<long>("itempath.logins", "{login}", "Login attempts answered, by outcome");
        _refreshes = meter.CreateCounter<long>("itempath.refreshes", "{refresh}", "Refresh requests answered, by outcome (succeeded, rotated, failed)");
        _failures = meter.CreateCounter<long>("itempath.auth.failures", "{failure}", "Refused authentication requests, by operation (the endpoint's name) and reason");
    }

    public void LoginSucceeded() => _logins.Add(1, Outcome(LoginOutcomes.Succeeded));

    /// <param name="reason">One of <see cref="LoginOutcomes"/> other than succeeded.</param>
    public void LoginFailed(string reason, string operation = "Login")
    {
        _logins.Add(1, Outcome(reason));
        Failed(operation, reason);
    }

    public void RefreshSucceeded(bool rotated) => _refreshes.Add(1, Outcome(rotated ? "rotated" : LoginOutcomes.Succeeded));

    public void RefreshFailed(string reason, string operation = "Refresh")
    {
        _refreshes.Add(1, Outcome("failed"));
        Failed(operation, reason);
    }

    /// <summary>A request body refused before the endpoint ran: a login's counts as a failed login.</summary>
    public void RequestRefused(string? operation)
    {
        if (operation == "Login") LoginFailed(LoginOutcomes.InvalidRequest);
    }

    /// <summary>Any other refusal: a bearer token refused at an endpoint, an application token refused.</summary>
    public void Failed(string operation, string reason) =>
        _failures.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>
    /// A bearer token refused before the endpoint ran. A refresh token refused this way is a failed
    /// refresh too.
    /// </summary>
    public void TokenRefused(string? operation, string message)
    {
        var reason = ReasonOf(message);
        if (operation == "Refresh") RefreshFailed(reason, operation);
        else Failed(operation ?? "unknown", reason);
    }

    /// <summary>The reason label of a refusal the cluster answered.</summary>
    public static string ReasonOf(TokenError error) => error switch
    {
        TokenError.BadCredentials => Reasons.BadCredentials,
        TokenError.LockedOut => Reasons.LockedOut,
        TokenError.SessionExpired => Reasons.TokenExpired,
        TokenError.UserInactive => Reasons.UserInactive,
        TokenError.NotApplicationUser => Reasons.Forbidden,
        TokenError.TooManyApplicationTokens => Reasons.Conflict,
        _ => Reasons.TokenRevoked,
    };

    /// <summary>The reason label of one of the contract's token messages (never the message itself).</summary>
    public static string ReasonOf(string message) => message switch
    {
        "Missing Authorization Header" => Reasons.MissingToken,
        "Token has expired" => Reasons.TokenExpired,
        "Token has been revoked" => Reasons.TokenRevoked,
        "Signature verification failed" => Reasons.BadSignature,
        "Only refresh tokens are allowed" or "Only non-refresh tokens are allowed" => Reasons.WrongTokenType,
        "User is not active" => Reasons.UserInactive,
        "The service is temporarily unavailable; retry shortly" => Reasons.Unavailable,
        _ => Reasons.InvalidToken,
    };

    private static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);
}
