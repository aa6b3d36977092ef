using ItemPathOrleans.Api.Http;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>How the cluster's refusals of a token operation look to a client.</summary>
public static class TokenErrors
{
    public static ProblemResult ToProblem(TokenError error) => error switch
    {
        TokenError.BadCredentials => Problems.LoginFailed(),
        TokenError.SessionExpired => Unauthorized("Token has expired"),
        TokenError.UserInactive => Unauthorized("User is not active"),
        TokenError.NotApplicationUser => Problems.Forbidden("Only application users can create application tokens"),
        TokenError.TooManyApplicationTokens => Problems.Conflict("Too many active application tokens for this user"),
        _ => Unauthorized("Token has been revoked"),
    };

    private static ProblemResult Unauthorized(string message) => Problems.InvalidToken(message);
}
