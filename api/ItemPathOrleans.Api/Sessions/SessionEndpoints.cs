using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Api.Users;
using ItemPathOrleans.Contracts.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>The ItemPath authentication calls: login, refresh, application tokens, logout, the current user, its password and sessions.</summary>
public static class SessionEndpoints
{
    public static IServiceCollection AddSessions(this IServiceCollection services) => services.AddSingleton<SessionClient>();

    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Sessions");
        users.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("Login").WithSummary("Log in with a username and a password: a new session")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        users.MapPost("/refresh", Refresh).RequireAuthorization(TokenSchemes.RefreshPolicy).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("Refresh").WithSummary("A new access token for a refresh token (and the next refresh token with rotation on)")
            .Produces<RefreshAnswer>(StatusCodes.Status200OK)
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        users.MapPost("/application-token", CreateApplicationToken).RequireAuthorization(TokenSchemes.RefreshPolicy).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("CreateApplicationToken").WithSummary("A non-expiring application token (application users only; the body is optional)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);
        users.MapPost("/logout", Logout).RequireAuthorization(TokenSchemes.AnyTokenPolicy).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("Logout").WithSummary("End the session of the access or refresh token")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        users.MapGet("/me", Me).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("GetCurrentUser").WithSummary("The current user")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        users.MapPost("/me/password", ChangePassword).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("ChangePassword").WithSummary("Change the current user's password: every other session ends")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests);
        users.MapGet("/me/sessions", ListMySessions).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("ListMySessions").WithSummary("The current user's active sessions and application tokens (?limit, ?page)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized);
        users.MapDelete("/me/sessions/{sessionId}", RevokeMySession).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("RevokeMySession").WithSummary("End one of the current user's sessions or application tokens")
            .ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<LoginJson>, ProblemResult>> Login(LoginRequest request, HttpContext context, SessionClient sessions)
    {
        var result = await sessions.LoginAsync(context.Tenant(), ClientAddress.Of(context), request.Username!, request.Password!);
        if (result.Error == TokenError.LockedOut) return Problems.TooManyLogins(TimeSpan.FromSeconds(result.RetryAfterSeconds));
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);
        return TypedResults.Ok(LoginJson.From(result));
    }

    /// <summary>Two shapes of 200 (rotation on or off), documented as one (<see cref="RefreshAnswer"/>).</summary>
    private static async Task<IResult> Refresh(HttpContext context, SessionClient sessions)
    {
        var result = await sessions.RefreshAsync(context.Tenant(), TokenIdentity.From(context.User));
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);
        var access = result.Access!;
        return result.Refresh is { } next
            ? TypedResults.Ok(new RotatedRefreshJson(access.Token, ApiDates.ItemPathDate(access.ExpiresAt!.Value), next.Token, ApiDates.ItemPathDate(next.ExpiresAt!.Value)))
            : TypedResults.Ok(new RefreshJson(access.Token, ApiDates.ItemPathDate(access.ExpiresAt!.Value)));
    }

    private static async Task<Results<Ok<ApplicationTokenJson>, ProblemResult>> CreateApplicationToken(
        ApplicationTokenRequest request, HttpContext context, SessionClient sessions)
    {
        var result = await sessions.CreateApplicationTokenAsync(context.Tenant(), TokenIdentity.From(context.User), request.Name);
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);
        return TypedResults.Ok(new ApplicationTokenJson(result.Token!, result.Id!, result.Name));
    }

    private static async Task<NoContent> Logout(HttpContext context, SessionClient sessions)
    {
        var token = TokenIdentity.From(context.User);
        await sessions.RevokeAsync(token, token.SessionId, RevocationReasons.Logout);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<UserJson>, ProblemResult>> Me(HttpContext context, SessionClient sessions)
    {
        // The profile the token's revocation check brought (cached with it), else the user grain's.
        var profile = CheckedSession.ProfileOf(context) ?? await sessions.ProfileAsync(TokenIdentity.From(context.User));
        return profile is null ? Problems.InvalidToken("User is not active") : TypedResults.Ok(UserJson.From(profile));
    }

    private static async Task<Results<NoContent, ProblemResult>> ChangePassword(PasswordChangeRequest request, HttpContext context, SessionClient sessions)
    {
        var token = TokenIdentity.From(context.User);
        if (token.SessionKind == SessionKinds.Application) return Problems.Forbidden("Application tokens cannot change the password");
        var result = await sessions.ChangePasswordAsync(token, request.CurrentPassword!, request.NewPassword!, ClientAddress.Of(context));
        return result.Error switch
        {
            PasswordChangeError.None => TypedResults.NoContent(),
            PasswordChangeError.WeakPassword => Problems.BadRequest(result.Detail!),
            PasswordChangeError.LockedOut => new ProblemResult(StatusCodes.Status429TooManyRequests, result.Detail!, retryAfterSeconds: 60),
            _ => Problems.Forbidden(result.Detail!),
        };
    }

    private static async Task<Results<Ok<SessionListJson>, ProblemResult>> ListMySessions(HttpContext context, SessionClient sessions)
    {
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        var list = await sessions.ListSessionsAsync(TokenIdentity.From(context.User));
        return TypedResults.Ok(SessionListJson.Page(list, paging));
    }

    private static async Task<Results<NoContent, ProblemResult>> RevokeMySession(string sessionId, HttpContext context, SessionClient sessions)
    {
        var token = TokenIdentity.From(context.User);
        if (!await sessions.RevokeAsync(token, sessionId, RevocationReasons.RevokedByUser)) return Problems.NotFound("Session not found");
        return TypedResults.NoContent();
    }
}
