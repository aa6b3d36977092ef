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
}
