using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>The ItemPath authentication calls: login, refresh, application tokens, the current user.</summary>
public static class SessionApi
{
    public const int MaxPasswordLength = SessionCalls.MaxPasswordLength;
    public const int MaxTokenNameLength = 128;

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Sessions");
        users.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("Login").WithSummary("Log in with a username and a password: a new session")
            .Accepts<LoginRequest>("application/json")
            .Produces<LoginJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        users.MapPost("/refresh", Refresh).RequireAuthorization(TokenSchemes.RefreshPolicy).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("Refresh").WithSummary("A new access token for a refresh token (and the next refresh token with rotation on)")
            .Produces<RefreshAnswer>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        users.MapPost("/application-token", CreateApplicationToken).RequireAuthorization(TokenSchemes.RefreshPolicy).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("CreateApplicationToken").WithSummary("A non-expiring application token (application users only; the body is optional)")
            .Accepts<ApplicationTokenRequest>("application/json")
            .Produces<ApplicationTokenJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        users.MapPost("/logout", Logout).RequireAuthorization(TokenSchemes.AnyTokenPolicy).RequireRateLimiting(AuthRateLimiting.Policy)
            .WithName("Logout").WithSummary("End the session of the access or refresh token")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        users.MapGet("/me", Me).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("GetCurrentUser").WithSummary("The current user")
            .Produces<UserJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        users.MapPost("/me/password", ChangePassword).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("ChangePassword").WithSummary("Change the current user's password: every other session ends")
            .Accepts<PasswordChangeRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        users.MapGet("/me/sessions", ListMySessions).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("ListMySessions").WithSummary("The current user's active sessions and application tokens (?limit, ?page)")
            .Produces<SessionListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        users.MapDelete("/me/sessions/{sessionId}", RevokeMySession).RequireAuthorization(TokenSchemes.AccessPolicy)
            .WithName("RevokeMySession").WithSummary("End one of the current user's sessions or application tokens")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> Login(HttpContext context, IGrainFactory grains, FailedLoginLimiter failedLogins, AuthMetrics metrics)
    {
        // Reserved before anything else, so that no more checks than the limit can fail at once.
        var reservation = failedLogins.Reserve(ClientAddress.Of(context));
        if (reservation.Refusal is { } wait)
        {
            metrics.LoginFailed(AuthMetrics.LoginOutcomes.RateLimited);
            return Problems.TooManyLogins(wait);
        }
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        string? error = null;
        string? username = null, password = null;
        if (problem is null)
        {
            var fields = new JsonFields(body!.Value);
            username = fields.String("username", ref error, required: true);
            password = fields.String("password", ref error, required: true);
            error ??= SessionCalls.CredentialsProblem(username!, password!);
        }
        if (problem is not null || error is not null)
        {
            reservation.GiveBack();
            metrics.LoginFailed(AuthMetrics.LoginOutcomes.InvalidRequest);
            return problem ?? Problems.BadRequest(error!);
        }

        // Counted (succeeded, locked, failed by reason) in SessionCalls, for both front doors.
        var result = await SessionCalls.LoginAsync(context, grains, reservation, username!, password!);
        if (result.Error == TokenError.LockedOut) return Problems.TooManyLogins(TimeSpan.FromSeconds(result.RetryAfterSeconds));
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);

        var user = result.User!;
        return TypedResults.Ok(new LoginJson(true, result.Access!.Token, result.Refresh!.Token,
            ApiJson.ItemPathDate(result.Access.ExpiresAt!.Value), ApiJson.ItemPathDate(result.Refresh.ExpiresAt!.Value),
            user.Id, user.Username, user.IsAdmin, user.Type));
    }

    private static async Task<IResult> Refresh(HttpContext context, IGrainFactory grains)
    {
        var result = await SessionCalls.RefreshAsync(context, grains, TokenIdentity.From(context.User));
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);
        var access = result.Access!;
        return result.Refresh is { } next
            ? TypedResults.Ok(new RotatedRefreshJson(access.Token, ApiJson.ItemPathDate(access.ExpiresAt!.Value), next.Token, ApiJson.ItemPathDate(next.ExpiresAt!.Value)))
            : TypedResults.Ok(new RefreshJson(access.Token, ApiJson.ItemPathDate(access.ExpiresAt!.Value)));
    }

    private static async Task<IResult> CreateApplicationToken(HttpContext context, IGrainFactory grains, AuthMetrics metrics)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request, optional: true);
        if (problem is not null) return problem;
        string? error = null;
        var name = body is { } b ? new JsonFields(b).String("name", ref error) : null;
        if (error is not null) return Problems.BadRequest(error);
        if (name is { Length: > MaxTokenNameLength }) return Problems.BadRequest($"name must be at most {MaxTokenNameLength} characters");

        var token = TokenIdentity.From(context.User);
        var result = await grains.GetGrain<IUserGrain>(GrainKeys.User(token.Tenant, token.UserId))
            .CreateApplicationToken(token.SessionId, token.Jti, name, context.Tenant().Info.Version);
        if (result.Error != TokenError.None)
        {
            metrics.Failed("CreateApplicationToken", AuthMetrics.ReasonOf(result.Error));
            return TokenErrors.ToProblem(result.Error);
        }
        return TypedResults.Ok(new ApplicationTokenJson(result.Token!, result.Id!, result.Name));
    }

    private static async Task<IResult> Logout(HttpContext context, IGrainFactory grains)
    {
        var token = TokenIdentity.From(context.User);
        await SessionCalls.RevokeAsync(context, grains, token, token.SessionId, RevocationReasons.Logout);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ChangePassword(HttpContext context, IGrainFactory grains)
    {
        var token = TokenIdentity.From(context.User);
        if (token.SessionKind == SessionKinds.Application)
            return Problems.Forbidden("Application tokens cannot change the password");
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var fields = new JsonFields(body!.Value);
        string? error = null;
        var current = fields.String("currentPassword", ref error, required: true);
        var next = fields.String("newPassword", ref error, required: true);
        if (error is not null) return Problems.BadRequest(error);
        if (current!.Length is 0 or > MaxPasswordLength || next!.Length is 0 or > MaxPasswordLength)
            return Problems.BadRequest($"passwords must be 1 to {MaxPasswordLength} characters");

        var result = await grains.GetGrain<IAuthenticationGrain>(0).ChangePassword(token.Tenant, token.UserId, token.SessionId, current, next, ClientAddress.Of(context));
        if (result.Error == PasswordChangeError.None) context.RequestServices.GetRequiredService<RevocationCache>().ForgetUser(token.Tenant, token.UserId);
        return result.Error switch
        {
            PasswordChangeError.None => TypedResults.NoContent(),
            PasswordChangeError.WeakPassword => Problems.BadRequest(result.Detail!),
            PasswordChangeError.LockedOut => new ProblemResult(StatusCodes.Status429TooManyRequests, result.Detail!, retryAfterSeconds: 60),
            _ => Problems.Forbidden(result.Detail!),
        };
    }

    private static async Task<IResult> ListMySessions(HttpContext context, IGrainFactory grains)
    {
        var token = TokenIdentity.From(context.User);
        return await SessionsJson.PageAsync(context, User(grains, token));
    }

    private static async Task<IResult> RevokeMySession(string sessionId, HttpContext context, IGrainFactory grains)
    {
        var token = TokenIdentity.From(context.User);
        if (!await SessionCalls.RevokeAsync(context, grains, token, sessionId, RevocationReasons.RevokedByUser)) return Problems.NotFound("Session not found");
        return TypedResults.NoContent();
    }

    private static IUserGrain User(IGrainFactory grains, TokenIdentity token) => SessionCalls.User(grains, token);

    private static async Task<IResult> Me(HttpContext context, IGrainFactory grains)
    {
        var token = TokenIdentity.From(context.User);
        var profile = await ClusterRetry.RunAsync(() => grains.GetGrain<IUserGrain>(GrainKeys.User(token.Tenant, token.UserId)).GetProfile());
        return profile is null ? Problems.InvalidToken("User is not active") : TypedResults.Ok(ApiJson.User(profile));
    }
}
