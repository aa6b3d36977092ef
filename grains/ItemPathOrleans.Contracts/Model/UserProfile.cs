namespace ItemPathOrleans.Contracts.Model;

/// <summary>User types, as ItemPath names them.</summary>
public static class UserTypes
{
    public const string User = "user";
    public const string Application = "application";

    public static bool IsValid(string? type) => type is User or Application;
}

/// <summary>ItemPath user status codes.</summary>
public static class UserStatus
{
    public const int Pending = 0;
    public const int Active = 1;
    public const int Deactivated = 2;
    public const int ActiveApplication = 3;

    public static bool IsActive(int status) => status is Active or ActiveApplication;
    public static bool IsValid(int status) => status is >= Pending and <= ActiveApplication;

    /// <summary>Application users are stored as 3 where 1 is asked, and 1 where 3 is asked for a plain user.</summary>
    public static int Normalize(int status, string type) => (status, type) switch
    {
        (Active, UserTypes.Application) => ActiveApplication,
        (ActiveApplication, UserTypes.User) => Active,
        _ => status,
    };
}

/// <summary>The user object of the contract: never a password or a hash.</summary>
[GenerateSerializer, Immutable]
public sealed record UserProfile(
    [property: Id(0)] string Tenant,
    [property: Id(1)] int Id,
    [property: Id(2)] string Username,
    [property: Id(3)] string? Email,
    [property: Id(4)] string Type,
    [property: Id(5)] int Status,
    [property: Id(6)] bool IsAdmin,
    [property: Id(7)] string Language,
    [property: Id(8)] string TimeZone,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] DateTimeOffset UpdatedAt)
{
    public bool IsActive => UserStatus.IsActive(Status);
    public bool IsActiveAdmin => IsAdmin && IsActive;
}
