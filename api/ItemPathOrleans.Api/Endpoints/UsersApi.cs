using System.Globalization;
using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>The admin users API: list, create, read, update, delete users of the caller's tenant.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        // Every answer here can also be 401 (no or a bad token) and 403 (not an admin of the tenant).
        var users = app.MapGroup("/api/users").RequireAuthorization(TokenSchemes.AccessPolicy, TokenSchemes.AdminPolicy)
            .WithTags("Users")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        users.MapGet("", List)
            .WithName("ListUsers").WithSummary("The tenant's users (?limit, ?page, ?username and ?email prefixes, ?type, ?status)")
            .Produces<UserListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapPost("", Create)
            .WithName("CreateUser").WithSummary("Create a user")
            .Accepts<NewUserRequest>("application/json")
            .Produces<UserJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        users.MapGet("/{id:int}", Get)
            .WithName("GetUser").WithSummary("A user")
            .Produces<UserJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        DescribeChange(users.MapPost("/{id:int}", Update)
            .WithName("UpdateUser").WithSummary("Change a user: fields present change, others stay"));
        DescribeChange(users.MapPatch("/{id:int}", Update)
            .WithName("PatchUser").WithSummary("Change a user (the same as POST)"));
        users.MapDelete("/{id:int}", Delete)
            .WithName("DeleteUser").WithSummary("Delete a user: every session ends")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        users.MapGet("/{id:int}/sessions", ListSessions)
            .WithName("ListUserSessions").WithSummary("A user's active sessions (?limit, ?page)")
            .Produces<SessionListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        users.MapGet("/{id:int}/events", ListEvents)
            .WithName("ListUserEvents").WithSummary("A user's security events, newest first (?limit, ?page)")
            .Produces<EventListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        users.MapDelete("/{id:int}/sessions", RevokeAllSessions)
            .WithName("RevokeUserSessions").WithSummary("End all of a user's sessions")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        users.MapDelete("/{id:int}/sessions/{sessionId}", RevokeSession)
            .WithName("RevokeUserSession").WithSummary("End one of a user's sessions")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>What POST and PATCH of a user take and answer.</summary>
    private static RouteHandlerBuilder DescribeChange(RouteHandlerBuilder endpoint) => endpoint
        .Accepts<UserChangesRequest>("application/json")
        .Produces<UserJson>(StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    private static async Task<IResult> List(HttpContext context, IGrainFactory grains)
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
        string? type = q.TryGetValue("type", out var t) ? t.ToString() : null;
        if (type is not null && !UserTypes.IsValid(type)) return Problems.BadRequest("type must be \"user\" or \"application\"");
        string? username = q.TryGetValue("username", out var u) ? u.ToString() : null;
        string? email = q.TryGetValue("email", out var e) ? e.ToString() : null;
        if (username is { Length: > UsernameRule.MaxLength } || email is { Length: > 254 })
            return Problems.BadRequest($"username and email filters are limited to {UsernameRule.MaxLength} and 254 characters");
        // A prefix of a name or an email holds none of the characters they may not (PostgreSQL refuses NUL).
        if ((username is not null && !(UsernameRule.HasAllowedCharacters(username) && GrainKeys.TryNormalizeName(username, out _)))
            || (email is not null && (email.Any(char.IsControl) || !GrainKeys.TryNormalizeName(email, out _))))
            return Problems.BadRequest("username and email filters must be valid Unicode without control characters");

        var result = await Registry(grains).ListUsers(context.Tenant().Id, new UserQuery(username, email, type, status, paging.Limit, paging.Page));
        return TypedResults.Ok(new UserListJson(result.Users.Select(ApiJson.User).ToList(), result.Total));
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var f = new JsonFields(body!.Value);
        string? error = null;
        var user = new NewUser(
            f.String("username", ref error, required: true)!,
            f.String("password", ref error, required: true),
            f.String("email", ref error),
            f.String("type", ref error) ?? UserTypes.User,
            f.Bool("isAdmin", ref error) ?? false,
            f.Int("status", ref error),
            f.String("language", ref error) ?? "en",
            f.String("timeZone", ref error) ?? "UTC");
        if (error is not null) return Problems.BadRequest(error);
        if (user.Password!.Length > SessionApi.MaxPasswordLength) return Problems.BadRequest($"password must be at most {SessionApi.MaxPasswordLength} characters");

        var result = await Registry(grains).CreateUser(context.Tenant().Id, user);
        return result.Error == UserChangeError.None
            ? TypedResults.Created($"/api/users/{result.User!.Id}", ApiJson.User(result.User))
            : ToProblem(result);
    }

    private static async Task<IResult> Get(int id, HttpContext context, IGrainFactory grains)
    {
        var profile = await grains.GetGrain<IUserGrain>(GrainKeys.User(context.Tenant().Id, id)).GetProfile();
        return profile is null ? Problems.NotFound("User not found") : TypedResults.Ok(ApiJson.User(profile));
    }

    private static async Task<IResult> Update(int id, HttpContext context, IGrainFactory grains, RevocationCache revocations)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request);
        if (problem is not null) return problem;
        var f = new JsonFields(body!.Value);
        string? error = null;
        var changes = new UserChanges(
            f.String("username", ref error),
            f.String("password", ref error),
            f.String("email", ref error),
            f.Has("email"),
            f.String("type", ref error),
            f.Bool("isAdmin", ref error),
            f.Int("status", ref error),
            f.String("language", ref error),
            f.String("timeZone", ref error));
        if (error is not null) return Problems.BadRequest(error);
        if (f.Has("password") && changes.Password is null) return Problems.BadRequest("Field 'password' must be a string");
        if (changes.Password is { Length: > SessionApi.MaxPasswordLength }) return Problems.BadRequest($"password must be at most {SessionApi.MaxPasswordLength} characters");

        var result = await Registry(grains).UpdateUser(context.Tenant().Id, id, changes);
        if (result.Error != UserChangeError.None) return ToProblem(result);
        // A new password or a deactivation ended the user's sessions: at once on this node.
        revocations.ForgetUser(context.Tenant().Id, id);
        return TypedResults.Ok(ApiJson.User(result.User!));
    }

    private static async Task<IResult> Delete(int id, HttpContext context, IGrainFactory grains, RevocationCache revocations)
    {
        var error = await Registry(grains).DeleteUser(context.Tenant().Id, id);
        if (error == UserChangeError.None) revocations.ForgetUser(context.Tenant().Id, id);
        return error switch
        {
            UserChangeError.None => TypedResults.NoContent(),
            UserChangeError.NotFound => Problems.NotFound("User not found"),
            _ => Problems.Conflict("The last active admin of a tenant cannot be deleted"),
        };
    }

    private static async Task<IResult> ListSessions(int id, HttpContext context, IGrainFactory grains)
    {
        var user = grains.GetGrain<IUserGrain>(GrainKeys.User(context.Tenant().Id, id));
        if (await user.GetProfile() is null) return Problems.NotFound("User not found");
        return await SessionsJson.PageAsync(context, user);
    }

    private static async Task<IResult> ListEvents(int id, HttpContext context, IGrainFactory grains)
    {
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        var page = await Registry(grains).ListEvents(context.Tenant().Id, id, paging.Limit, paging.Page);
        return TypedResults.Ok(new EventListJson(
            page.Events.Select(e => new EventJson(ApiJson.Iso(e.At), e.Name, e.Address, e.Detail)).ToList(), page.Total));
    }

    private static async Task<IResult> RevokeAllSessions(int id, HttpContext context, IGrainFactory grains, RevocationCache revocations)
    {
        var user = grains.GetGrain<IUserGrain>(GrainKeys.User(context.Tenant().Id, id));
        if (await user.GetProfile() is null) return Problems.NotFound("User not found");
        await user.RevokeAllSessions(RevocationReasons.RevokedByAdmin);
        revocations.ForgetUser(context.Tenant().Id, id);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> RevokeSession(int id, string sessionId, HttpContext context, IGrainFactory grains, RevocationCache revocations)
    {
        var tenant = context.Tenant().Id;
        var user = grains.GetGrain<IUserGrain>(GrainKeys.User(tenant, id));
        if (!await user.RevokeSession(sessionId, RevocationReasons.RevokedByAdmin)) return Problems.NotFound("Session not found");
        revocations.Forget(tenant, id, sessionId);
        return TypedResults.NoContent();
    }

    private static ProblemResult ToProblem(UserChangeResult result) => result.Error switch
    {
        UserChangeError.NotFound => Problems.NotFound(result.Detail ?? "User not found"),
        UserChangeError.UsernameTaken or UserChangeError.EmailTaken or UserChangeError.LastAdmin => Problems.Conflict(result.Detail!),
        _ => Problems.BadRequest(result.Detail ?? "Invalid user"),
    };

    private static IUserRegistryGrain Registry(IGrainFactory grains) => grains.GetGrain<IUserRegistryGrain>(0);
}
