using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Http;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>The ItemPath authentication calls: login, refresh, application tokens, the current user.</summary>
public static class SessionApi
{
    public const int MaxUsernameLength = SessionCalls.MaxUsernameLength;
    public const int MaxPasswordLength = SessionCalls.MaxPasswordLength;
    public const int MaxTokenNameLength = 128;

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users");
        users.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthRateLimiting.Policy);
        users.MapPost("/refresh", Refresh).RequireAuthorization(TokenSchemes.RefreshPolicy).RequireRateLimiting(AuthRateLimiting.Policy);
        users.MapPost("/application-token", CreateApplicationToken).RequireAuthorization(TokenSchemes.RefreshPolicy).RequireRateLimiting(AuthRateLimiting.Policy);
        users.MapPost("/logout", Logout).RequireAuthorization(TokenSchemes.AnyTokenPolicy).RequireRateLimiting(AuthRateLimiting.Policy);
        users.MapGet("/me", Me).RequireAuthorization(TokenSchemes.AccessPolicy);
        users.MapPost("/me/password", ChangePassword).RequireAuthorization(TokenSchemes.AccessPolicy);
        users.MapGet("/me/sessions", ListMySessions).RequireAuthorization(TokenSchemes.AccessPolicy);
        users.MapDelete("/me/sessions/{sessionId}", RevokeMySession).RequireAuthorization(TokenSchemes.AccessPolicy);
        return app;
    }

    private static async Task<IResult> Login(HttpContext context, IGrainFactory grains, FailedLoginLimiter failedLogins)
    {
        var address = ClientAddress.Of(context);
        if (failedLogins.Refusal(address) is { } wait) return Problems.TooManyLogins(wait);
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var fields = new JsonFields(body!.Value);
        string? error = null;
        var username = fields.String("username", ref error, required: true);
        var password = fields.String("password", ref error, required: true);
        error ??= SessionCalls.CredentialsProblem(username!, password!);
        if (error is not null) return Problems.BadRequest(error);

        var result = await SessionCalls.LoginAsync(context, grains, failedLogins, username!, password!);
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

    private static async Task<IResult> CreateApplicationToken(HttpContext context, IGrainFactory grains)
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
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);
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
