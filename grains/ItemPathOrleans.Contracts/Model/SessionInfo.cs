namespace ItemPathOrleans.Contracts.Model;

/// <summary>A session as its user (or an admin) sees it: never a token.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string? Name,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? LastUsedAt,
    [property: Id(5)] DateTimeOffset? ExpiresAt);

/// <summary>The answer to a password change by its user.</summary>
public enum PasswordChangeError
{
    None,
    WrongPassword,
    WeakPassword,
    NoPassword,
    LockedOut,
    /// <summary>Inside the cluster only, as <see cref="TokenError.PermitLost"/>.</summary>
    PermitLost,
}

[GenerateSerializer, Immutable]
public sealed record PasswordChangeResult(
    [property: Id(0)] PasswordChangeError Error,
    [property: Id(1)] string? Detail);
