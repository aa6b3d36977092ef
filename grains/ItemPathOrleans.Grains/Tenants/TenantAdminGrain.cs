using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.Grains.Tenants;

/// <summary>
/// Tenant administration across grains. Creating a tenant: the tenant grain (settings, first
/// key), its first admin, then the catalog entry that makes it reachable; each step is
/// idempotent, so a creation that failed half-way can simply be retried.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class TenantAdminGrain : Grain, ITenantAdminGrain
{
    public const int MaxNameLength = 200;

    public async Task<TenantChangeResult> CreateTenant(string id, string name, string adminUsername, string adminPassword)
    {
        if (!TenantIds.IsValid(id)) return TenantChangeResult.Fail(TenantChangeError.Invalid, "id must match ^[a-z0-9][a-z0-9-]{0,62}$");
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
            return TenantChangeResult.Fail(TenantChangeError.Invalid, $"name must be 1 to {MaxNameLength} characters");
        if (UserRules.CheckUsername(adminUsername) is { } badName) return TenantChangeResult.Fail(TenantChangeError.Invalid, "adminUsername: " + badName);
        if (PasswordPolicy.Check(adminPassword, adminUsername, TenantSettings.Default) is { } weak)
            return TenantChangeResult.Fail(TenantChangeError.WeakPassword, weak);

        var catalog = GrainFactory.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);
        if (await catalog.Find(id) is not null)
            return TenantChangeResult.Fail(TenantChangeError.AlreadyExists, "Tenant already exists");

        var tenant = GrainFactory.GetGrain<ITenantGrain>(id);
        var info = await tenant.EnsureCreated(name);
        var admin = await GrainFactory.GetGrain<IUserRegistryGrain>(0).CreateUser(id,
            new NewUser(adminUsername, adminPassword, null, UserTypes.User, true, UserStatus.Active, "en", "UTC"));
        if (admin.Error is not (UserChangeError.None or UserChangeError.UsernameTaken))
            return TenantChangeResult.Fail(admin.Error == UserChangeError.WeakPassword ? TenantChangeError.WeakPassword : TenantChangeError.Invalid, admin.Detail!);
        await tenant.MarkBootstrapped();
        await catalog.Put(new TenantEntry(id, info.Name, info.Disabled, info.CreatedAt));
        return new TenantChangeResult(TenantChangeError.None, info, null);
    }

    public async Task<TenantChangeResult> SetDisabled(string id, bool disabled)
    {
        var catalog = GrainFactory.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);
        if (await catalog.Find(id) is null) return TenantChangeResult.Fail(TenantChangeError.NotFound, "Unknown tenant");

        var info = await GrainFactory.GetGrain<ITenantGrain>(id).SetDisabled(disabled);
        await catalog.Put(new TenantEntry(id, info.Name, info.Disabled, info.CreatedAt));
        return new TenantChangeResult(TenantChangeError.None, info, null);
    }
}
