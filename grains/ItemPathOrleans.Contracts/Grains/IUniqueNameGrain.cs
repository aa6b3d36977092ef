namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// Owns one username (or email) of a tenant: the unique-name guarantee lives here, one single
/// writer per name. Creating a user reserves the name, writes the user, then confirms; a
/// reservation never confirmed is reclaimed after a while.
/// </summary>
public interface IUniqueNameGrain : IGrainWithStringKey
{
    /// <summary>The confirmed owner's user id, or null.</summary>
    [ReadOnly]
    Task<int?> Lookup();

    /// <summary>True when the name is now reserved (or already owned) by <paramref name="userId"/>.</summary>
    Task<bool> Reserve(int userId);

    Task Confirm(int userId);

    /// <summary>Frees the name if <paramref name="userId"/> holds it.</summary>
    Task Release(int userId);

    /// <summary>
    /// A login with this name: the owner's id, or, for a name nobody holds, the same lockout a
    /// user has (counted here, in memory and bounded; nothing is stored for an unknown name).
    /// </summary>
    Task<NameLoginStart> BeginLogin(string clientAddress);
}

[GenerateSerializer, Immutable]
public sealed record NameLoginStart(
    [property: Id(0)] int? UserId,
    [property: Id(1)] int RetryAfterSeconds);
