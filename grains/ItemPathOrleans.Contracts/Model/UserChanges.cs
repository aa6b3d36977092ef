namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// A new user as an admin (or the first start) asks for it; the password in clear. Inside the
/// cluster a user can instead arrive with <see cref="PasswordHash"/>, a password already hashed
/// (an Argon2id PHC string, e.g. imported from another deployment); the HTTP API never sets it.
/// </summary>
[GenerateSerializer]
public sealed record NewUser(
    [property: Id(0)] string Username,
    [property: Id(1)] string? Password,
    [property: Id(2)] string? Email,
    [property: Id(3)] string Type,
    [property: Id(4)] bool IsAdmin,
    [property: Id(5)] int? Status,
    [property: Id(6)] string Language,
    [property: Id(7)] string TimeZone,
    [property: Id(8)] string? PasswordHash = null)
{
    public override string ToString() => $"NewUser {{ Username = {Username}, Password = [redacted], PasswordHash = [redacted], Type = {Type}, IsAdmin = {IsAdmin}, Status = {Status} }}";
}

/// <summary>Fields present are changed, others kept (null = absent).</summary>
[GenerateSerializer]
public sealed record UserChanges(
    [property: Id(0)] string? Username,
    [property: Id(1)] string? Password,
    [property: Id(2)] string? Email,
    [property: Id(3)] bool EmailPresent,
    [property: Id(4)] string? Type,
    [property: Id(5)] bool? IsAdmin,
    [property: Id(6)] int? Status,
    [property: Id(7)] string? Language,
    [property: Id(8)] string? TimeZone)
{
    public override string ToString() => $"UserChanges {{ Username = {Username}, Password = {(Password is null ? "null" : "[redacted]")}, Type = {Type}, IsAdmin = {IsAdmin}, Status = {Status} }}";
}

/// <summary>Why a user change was refused; <see cref="None"/> when it succeeded.</summary>
public enum UserChangeError
{
    None,
    NotFound,
    UsernameTaken,
    EmailTaken,
    WeakPassword,
    LastAdmin,
    Invalid,
}

[GenerateSerializer, Immutable]
public sealed record UserChangeResult(
    [property: Id(0)] UserChangeError Error,
    [property: Id(1)] UserProfile? User,
    [property: Id(2)] string? Detail)
{
    public static UserChangeResult Ok(UserProfile user) => new(UserChangeError.None, user, null);
    public static UserChangeResult Fail(UserChangeError error, string detail) => new(error, null, detail);
}

[GenerateSerializer]
public sealed record UserQuery(
    [property: Id(0)] string? UsernamePrefix,
    [property: Id(1)] string? EmailPrefix,
    [property: Id(2)] string? Type,
    [property: Id(3)] int? Status,
    [property: Id(4)] int Limit,
    [property: Id(5)] int Page,
    [property: Id(6)] bool? IsAdmin = null);

[GenerateSerializer, Immutable]
public sealed record UserPage(
    [property: Id(0)] IReadOnlyList<UserProfile> Users,
    [property: Id(1)] long Total);
