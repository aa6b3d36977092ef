using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>A tenant: its settings, its signing key ring and its user id sequence. Key: tenant id.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>The tenant, or null if it was never created.</summary>
    [ReadOnly]
    Task<TenantInfo?> Get();

    /// <summary>Creates the tenant with default settings and a first key version if it does not exist.</summary>
    Task<TenantInfo> EnsureCreated(string name);

    /// <summary>
    /// Changes settings (fields present in the patch). Answers the updated tenant, or the
    /// validation error naming the field; nothing is stored on an error.
    /// </summary>
    Task<(TenantInfo? Tenant, string? Error)> UpdateSettings(TenantSettingsPatch patch);

    /// <summary>Disables or enables the tenant (its catalog entry is the caller's to update).</summary>
    Task<TenantInfo> SetDisabled(bool disabled);

    /// <summary>Adds a key version derived from the current master key; it signs from now on.</summary>
    Task<TenantInfo> RotateKey();

    /// <summary>
    /// Gives the current key version its RSA companion (the key that signs ID tokens, RS256) if it
    /// has none: versions stored before ID tokens existed. Stored, then answered, with the tenant's
    /// <see cref="TenantInfo.Version"/> raised like every key change, so every node's tenant cache
    /// takes it (callers hand the answer to their own cache at once); a version that has one is
    /// answered unchanged. Throws <see cref="SigningKeyUnavailableException"/> when the version's
    /// master key is not configured.
    /// </summary>
    Task<TenantInfo> EnsureIdTokenKey();

    /// <summary>
    /// Retires a key version: every token it signed stops working. The current version cannot
    /// be retired (rotate first).
    /// </summary>
    Task<(TenantInfo? Tenant, KeyRetireError Error)> RetireKey(string kid);

    /// <summary>Reserves the next user id (ids start at 1 and are never reused).</summary>
    Task<int> NextUserId();

    /// <summary>Whether the first admin of this tenant has been created.</summary>
    [ReadOnly]
    Task<bool> IsBootstrapped();

    Task MarkBootstrapped();

    /// <summary>Records that a user is an active admin.</summary>
    Task AddActiveAdmin(int userId);

    /// <summary>
    /// Removes a user from the active admins unless it is the last one; false means the change
    /// must be refused. Serialised here so two admins cannot demote each other at once.
    /// </summary>
    Task<bool> TryRemoveActiveAdmin(int userId);
}

public enum KeyRetireError
{
    None,
    NotFound,
    Current,
}
