using System.Globalization;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Sessions;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ItemPathOrleans.Api.Users;

/// <summary>The admin users API: list, create, read, update, delete users of the caller's tenant, their sessions and events.</summary>
public static class UserEndpoints
{
    public static IServiceCollection AddUsers(this IServiceCollection services) => services.AddSingleton<UserAdminClient>();

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapAdminGroup("/api/users", "Users");
        users.MapGet("", List)
            .WithName("ListUsers").WithSummary("The tenant's users (?limit, ?page, ?username and ?email prefixes, ?type, ?status, ?isAdmin)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapPost("", Create)
            .WithName("CreateUser").WithSummary("Create a user")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);
        users.MapGet("/{id:int}", Get)
            .WithName("GetUser").WithSummary("A user")
            .ProducesProblem(StatusCodes.Status404NotFound);
        DescribeChange(users.MapPost("/{id:int}", Update)
            .WithName("UpdateUser").WithSummary("Change a user: fields present change, others stay"));
        DescribeChange(users.MapPatch("/{id:int}", Update)
            .WithName("PatchUser").WithSummary("Change a user (the same as POST)"));
        users.MapDelete("/{id:int}", Delete)
            .WithName("DeleteUser").WithSummary("Delete a user: every session ends")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        users.MapGet("/{id:int}/sessions", ListSessions)
            .WithName("ListUserSessions").WithSummary("A user's active sessions (?limit, ?page)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        users.MapGet("/{id:int}/events", ListEvents)
            .WithName("ListUserEvents").WithSummary("A user's security events, newest first (?limit, ?page)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapDelete("/{id:int}/sessions", RevokeAllSessions)
            .WithName("RevokeUserSessions").WithSummary("End all of a user's sessions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        users.MapDelete("/{id:int}/sessions/{sessionId}", RevokeSession)
            .WithName("RevokeUserSession").WithSummary("End one of a user's sessions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>What POST and PATCH of a user answer besides the user.</summary>
    private static RouteHandlerBuilder DescribeChange(RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);

    private static async Task<Results<Ok<UserListJson>, ProblemResult>> List(HttpContext context, UserAdminClient users)
    {
        var q = context.Request.Query;
        var (paging, problem) = Paging.From(q);
        if (problem is not null) return problem;
        int? status = null;
        if (q.TryGetValue("status", out var s))
        {
            if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var st) || !UserStatus.IsValid(st))
                return Problems.BadRequest("status must be 0, 1, 2 or 3");
            status = st;
        }
        bool? isAdmin = null;
        if (q.TryGetValue("isAdmin", out var a))
        {
            if (a.ToString() is not ("true" or "false")) return Problems.BadRequest("isAdmin must be true or false");
            isAdmin = a.ToString() == "true";
        }
        string? type = q.TryGetValue("type", out var t) ? t.ToString() : null;
        if (type is not null && !UserTypes.IsValid(type)) return Problems.BadRequest("type must be \"user\" or \"application\"");
        string? username = q.TryGetValue("username", out var u) ? u.ToString() : null;
        string? email = q.TryGetValue("email", out var e) ? e.ToString() : null;
        if (username is { Length: > FieldLimits.MaxUsernameLength } || email is { Length: > FieldLimits.MaxEmailLength })
            return Problems.BadRequest($"username and email filters are limited to {FieldLimits.MaxUsernameLength} and {FieldLimits.MaxEmailLength} characters");
        // A prefix of a name or an email holds none of the characters they may not (PostgreSQL refuses NUL).
        if ((username is not null && !(UsernameRule.HasAllowedCharacters(username) && GrainKeys.TryNormalizeName(username, out _)))
            || (email is not null && (email.Any(char.IsControl) || !GrainKeys.TryNormalizeName(email, out _))))
            return Problems.BadRequest("username and email filters must be valid Unicode without control characters");

        var result = await users.ListAsync(context.Tenant().Id, new UserQuery(username, email, type, status, paging.Limit, paging.Page, isAdmin));
        return TypedResults.Ok(new UserListJson(result.Users.Select(UserJson.From).ToList(), result.Total));
    }

    private static async Task<Results<Created<UserJson>, ProblemResult>> Create(NewUserRequest request, HttpContext context, UserAdminClient users)
    {
        var result = await users.CreateAsync(context.Tenant().Id, request.ToNewUser());
        return result.Error == UserChangeError.None
            ? TypedResults.Created($"/api/users/{result.User!.Id}", UserJson.From(result.User))
            : ToProblem(result);
    }

    private static async Task<Results<Ok<UserJson>, ProblemResult>> Get(int id, HttpContext context, UserAdminClient users)
    {
        var profile = await users.FindAsync(context.Tenant().Id, id);
        return profile is null ? Problems.NotFound("User not found") : TypedResults.Ok(UserJson.From(profile));
    }

    private static async Task<Results<Ok<UserJson>, ProblemResult>> Update(int id, UserChangesRequest request, HttpContext context, UserAdminClient users)
    {
        var result = await users.UpdateAsync(context.Tenant().Id, id, request.ToChanges());
        return result.Error == UserChangeError.None ? TypedResults.Ok(UserJson.From(result.User!)) : ToProblem(result);
    }

    private static async Task<Results<NoContent, ProblemResult>> Delete(int id, HttpContext context, UserAdminClient users) =>
        await users.DeleteAsync(context.Tenant().Id, id) switch
        {
            UserChangeError.None => TypedResults.NoContent(),
            UserChangeError.NotFound => Problems.NotFound("User not found"),
            _ => Problems.Conflict("The last active admin of a tenant cannot be deleted"),
        };

    private static async Task<Results<Ok<SessionListJson>, ProblemResult>> ListSessions(int id, HttpContext context, UserAdminClient users)
    {
        var sessions = await users.ListSessionsAsync(context.Tenant().Id, id);
        if (sessions is null) return Problems.NotFound("User not found");
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        return TypedResults.Ok(SessionListJson.Page(sessions, paging));
    }

    private static async Task<Results<Ok<EventListJson>, ProblemResult>> ListEvents(int id, HttpContext context, UserAdminClient users)
    {
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        return TypedResults.Ok(EventListJson.From(await users.ListEventsAsync(context.Tenant().Id, id, paging.Limit, paging.Page)));
    }

    private static async Task<Results<NoContent, ProblemResult>> RevokeAllSessions(int id, HttpContext context, UserAdminClient users) =>
        await users.RevokeAllSessionsAsync(context.Tenant().Id, id) ? TypedResults.NoContent() : Problems.NotFound("User not found");

    private static async Task<Results<NoContent, ProblemResult>> RevokeSession(int id, string sessionId, HttpContext context, UserAdminClient users) =>
        await users.RevokeSessionAsync(context.Tenant().Id, id, sessionId) ? TypedResults.NoContent() : Problems.NotFound("Session not found");

    private static ProblemResult ToProblem(UserChangeResult result) => result.Error switch
    {
        UserChangeError.NotFound => Problems.NotFound(result.Detail ?? "User not found"),
        UserChangeError.UsernameTaken or UserChangeError.EmailTaken or UserChangeError.LastAdmin => Problems.Conflict(result.Detail!),
        _ => Problems.BadRequest(result.Detail ?? "Invalid user"),
    };
}
