using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Directory;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Grains.Security;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// User administration across grains: reserve the names, write the user, confirm the names.
/// A reservation never confirmed is reclaimed by the name grain, so a crash half-way leaves
/// no name blocked for good.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class UserRegistryGrain(
    TenantCache tenants,
    PasswordHashingPool hashing,
    IUserDirectory directory,
    ISecurityEventStore eventStore,
    TimeProvider time) : Grain, IUserRegistryGrain
{
    public async Task<UserChangeResult> CreateUser(string tenant, NewUser user)
    {
        var info = await tenants.GetAsync(tenant);
        var invalid = UserRules.FirstError(
            UserRules.CheckUsername(user.Username), UserRules.CheckEmail(user.Email), UserRules.CheckType(user.Type),
            UserRules.CheckStatus(user.Status), UserRules.CheckLanguage(user.Language), UserRules.CheckTimeZone(user.TimeZone));
        if (invalid is not null) return UserChangeResult.Fail(UserChangeError.Invalid, invalid);
        if (user.Password is not null && user.PasswordHash is not null)
            return UserChangeResult.Fail(UserChangeError.Invalid, "Give a password or a password hash, not both");
        if (user.PasswordHash is not null && !PasswordHasher.IsWellFormed(user.PasswordHash))
            return UserChangeResult.Fail(UserChangeError.Invalid, "The password hash is not an Argon2id PHC string");
        if (user.Password is not null && PasswordPolicy.Check(user.Password, user.Username, info.Settings) is { } weak)
            return UserChangeResult.Fail(UserChangeError.WeakPassword, weak);

        var hash = user.Password is null ? user.PasswordHash : await hashing.HashAsync(user.Password);
        var id = await TenantGrain(tenant).NextUserId();

        var username = NameGrain(tenant, UniqueNameKind.Username, user.Username);
        if (!await username.Reserve(id)) return UserChangeResult.Fail(UserChangeError.UsernameTaken, "Username already exists");
        var email = user.Email is null ? null : NameGrain(tenant, UniqueNameKind.Email, user.Email);
        if (email is not null && !await email.Reserve(id))
        {
            await username.Release(id);
            return UserChangeResult.Fail(UserChangeError.EmailTaken, "Email already exists");
        }

        var now = time.GetUtcNow();
        var status = UserStatus.Normalize(user.Status ?? UserStatus.Active, user.Type);
        var profile = new UserProfile(tenant, id, user.Username, user.Email, user.Type, status, user.IsAdmin,
            user.Language, user.TimeZone, now, now);
        var result = await UserGrain(tenant, id).Create(profile, hash);
        if (result.Error != UserChangeError.None) return result;

        await username.Confirm(id);
        if (email is not null) await email.Confirm(id);
        return result;
    }

    public async Task<UserChangeResult> UpdateUser(string tenant, int userId, UserChanges changes)
    {
        var info = await tenants.GetAsync(tenant);
        var user = UserGrain(tenant, userId);
        if (await user.GetProfile() is not { } before) return UserChangeResult.Fail(UserChangeError.NotFound, "User not found");

        var invalid = UserRules.FirstError(
            changes.Username is null ? null : UserRules.CheckUsername(changes.Username),
            UserRules.CheckEmail(changes.Email), UserRules.CheckType(changes.Type), UserRules.CheckStatus(changes.Status),
            UserRules.CheckLanguage(changes.Language), UserRules.CheckTimeZone(changes.TimeZone));
        if (invalid is not null) return UserChangeResult.Fail(UserChangeError.Invalid, invalid);
        if (changes.Password is not null && PasswordPolicy.Check(changes.Password, changes.Username ?? before.Username, info.Settings) is { } weak)
            return UserChangeResult.Fail(UserChangeError.WeakPassword, weak);

        // Names that change are reserved first and confirmed (and the old ones released) only
        // after the user is stored.
        var newUsername = changes.Username is { } u && !SameName(u, before.Username) ? NameGrain(tenant, UniqueNameKind.Username, u) : null;
        var newEmail = changes.EmailPresent && changes.Email is { } e && (before.Email is null || !SameName(e, before.Email))
            ? NameGrain(tenant, UniqueNameKind.Email, e) : null;
        var emailDropped = changes.EmailPresent && before.Email is not null && (changes.Email is null || newEmail is not null);

        if (newUsername is not null && !await newUsername.Reserve(userId))
            return UserChangeResult.Fail(UserChangeError.UsernameTaken, "Username already exists");
        if (newEmail is not null && !await newEmail.Reserve(userId))
        {
            if (newUsername is not null) await newUsername.Release(userId);
            return UserChangeResult.Fail(UserChangeError.EmailTaken, "Email already exists");
        }

        var hash = changes.Password is null ? null : await hashing.HashAsync(changes.Password);
        var result = await user.Update(changes, hash);
        if (result.Error != UserChangeError.None)
        {
            if (newUsername is not null) await newUsername.Release(userId);
            if (newEmail is not null) await newEmail.Release(userId);
            return result;
        }

        if (newUsername is not null)
        {
            await newUsername.Confirm(userId);
            await NameGrain(tenant, UniqueNameKind.Username, before.Username).Release(userId);
        }
        if (newEmail is not null) await newEmail.Confirm(userId);
        if (emailDropped) await NameGrain(tenant, UniqueNameKind.Email, before.Email!).Release(userId);
        return result;
    }

    public async Task<UserChangeError> DeleteUser(string tenant, int userId)
    {
        var result = await UserGrain(tenant, userId).Delete();
        if (result.User is { } deleted)
        {
            await NameGrain(tenant, UniqueNameKind.Username, deleted.Username).Release(userId);
            if (deleted.Email is not null) await NameGrain(tenant, UniqueNameKind.Email, deleted.Email).Release(userId);
        }
        return result.Error;
    }

    public Task<UserPage> ListUsers(string tenant, UserQuery query) => directory.QueryAsync(tenant, query);

    public async Task<SecurityEventPage> ListEvents(string tenant, int userId, int limit, int page)
    {
        var (events, total) = await eventStore.QueryAsync(tenant, userId, limit, page);
        return new SecurityEventPage(events.Select(e => new SecurityEventInfo(e.At, e.Name, e.Address, e.Detail)).ToList(), total);
    }

    public async Task<UserChangeResult> ResetAdminPassword(string tenant, string username, string password)
    {
        if (await tenants.FindAsync(tenant) is not { } info) return UserChangeResult.Fail(UserChangeError.NotFound, $"No tenant '{tenant}'");
        if (UsernameRule.Problem(username) is { } badName) return UserChangeResult.Fail(UserChangeError.Invalid, badName);
        if (await NameGrain(tenant, UniqueNameKind.Username, username).Lookup() is not { } userId)
            return UserChangeResult.Fail(UserChangeError.NotFound, $"No user '{username}' in tenant '{tenant}'");
        if (PasswordPolicy.Check(password, username, info.Settings) is { } weak) return UserChangeResult.Fail(UserChangeError.WeakPassword, weak);
        return await UserGrain(tenant, userId).ResetAdminPassword(await hashing.HashAsync(password));
    }

    public async Task<bool> IsStorageReady()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        return await directory.PingAsync(timeout.Token);
    }

    private static bool SameName(string a, string b) => GrainKeys.NormalizeName(a) == GrainKeys.NormalizeName(b);

    private ITenantGrain TenantGrain(string tenant) => GrainFactory.GetGrain<ITenantGrain>(tenant);

    private IUserGrain UserGrain(string tenant, int id) => GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(tenant, id));

    private IUniqueNameGrain NameGrain(string tenant, UniqueNameKind kind, string name) =>
        GrainFactory.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName(tenant, kind, GrainKeys.NormalizeName(name)));
}
