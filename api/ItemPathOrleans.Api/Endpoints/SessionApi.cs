using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Http;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>The ItemPath authentication calls: login, refresh, application tokens, the current user.</summary>
public static class SessionApi
{
    public const int MaxUsernameLength = 128;
    public const int MaxPasswordLength = 1024;
    public const int MaxTokenNameLength = 128;

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users");
        users.MapPost("/login", Login).AllowAnonymous();
        users.MapPost("/refresh", Refresh).RequireAuthorization(TokenSchemes.RefreshPolicy);
        users.MapPost("/application-token", CreateApplicationToken).RequireAuthorization(TokenSchemes.RefreshPolicy);
        users.MapGet("/me", Me).RequireAuthorization(TokenSchemes.AccessPolicy);
        return app;
    }

    private static async Task<IResult> Login(HttpContext context, IGrainFactory grains)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var fields = new JsonFields(body!.Value);
        string? error = null;
        var username = fields.String("username", ref error, required: true);
        var password = fields.String("password", ref error, required: true);
        if (error is not null) return Problems.BadRequest(error);
        if (username!.Length is 0 or > MaxUsernameLength) return Problems.BadRequest($"username must be 1 to {MaxUsernameLength} characters");
        if (password!.Length is 0 or > MaxPasswordLength) return Problems.BadRequest($"password must be 1 to {MaxPasswordLength} characters");

        var tenant = context.Tenant();
        var result = await grains.GetGrain<IAuthenticationGrain>(0).Login(tenant.Id, username, password);
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);

        var user = result.User!;
        return TypedResults.Ok(new LoginJson(true, result.Access!.Token, result.Refresh!.Token,
            ApiJson.ItemPathDate(result.Access.ExpiresAt!.Value), ApiJson.ItemPathDate(result.Refresh.ExpiresAt!.Value),
            user.Id, user.Username, user.IsAdmin, user.Type));
    }

    private static async Task<IResult> Refresh(HttpContext context, IGrainFactory grains)
    {
        var token = TokenIdentity.From(context.User);
        var result = await grains.GetGrain<IUserGrain>(GrainKeys.User(token.Tenant, token.UserId)).Refresh(token.SessionId, token.Jti);
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);
        return TypedResults.Ok(new RefreshJson(result.Access!.Token, ApiJson.ItemPathDate(result.Access.ExpiresAt!.Value)));
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
            .CreateApplicationToken(token.SessionId, token.Jti, name);
        if (result.Error != TokenError.None) return TokenErrors.ToProblem(result.Error);
        return TypedResults.Ok(new ApplicationTokenJson(result.Token!, result.Id!, result.Name));
    }

    private static async Task<IResult> Me(HttpContext context, IGrainFactory grains)
    {
        var token = TokenIdentity.From(context.User);
        var profile = await grains.GetGrain<IUserGrain>(GrainKeys.User(token.Tenant, token.UserId)).GetProfile();
        return profile is null ? Problems.InvalidToken("User is not active") : TypedResults.Ok(ApiJson.User(profile));
    }
}
