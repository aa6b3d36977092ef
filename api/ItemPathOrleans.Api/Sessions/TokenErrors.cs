using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>How the cluster's refusals of a token operation look to a client.</summary>
public static class TokenErrors
{
    public static ProblemResult ToProblem(TokenError error) => error switch
    {
        TokenError.BadCredentials => Problems.LoginFailed(),
        TokenError.NotApplicationUser => Problems.Forbidden(Message(error)),
        TokenError.TooManyApplicationTokens => Problems.Conflict(Message(error)),
        _ => Problems.InvalidToken(Message(error)),
    };

    /// <summary>The contract's message for a refusal (also the OAuth endpoints' <c>error_description</c>).</summary>
    public static string Message(TokenError error) => error switch
    {
        TokenError.BadCredentials => "Bad username or password",
        TokenError.SessionExpired => "Token has expired",
        TokenError.UserInactive => "User is not active",
        TokenError.NotApplicationUser => "Only application users can create application tokens",
        TokenError.TooManyApplicationTokens => "Too many active application tokens for this user",
        TokenError.WrongClient => "The token was issued to another client",
        _ => "Token has been revoked",
    };
}
