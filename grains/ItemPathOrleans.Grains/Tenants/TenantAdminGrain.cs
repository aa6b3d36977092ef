using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.Grains.Tenants;

/// <summary>
/// Tenant administration across grains. Creating a tenant: the tenant grain (settings, first
/// key), its first admin, then the catalog entry that makes it reachable; each step is
/// idempotent, so a creation that failed half-way can simply be retried. Creating many
/// (<see cref="CreateTenants"/>): the same steps with each admin's password already hashed, and one
/// catalog write per batch instead of one per tenant (the catalog writes its whole list each time).
/// </summary>
[StatelessWorker, Reentrant]
public sealed class TenantAdminGrain : Grain, ITenantAdminGrain
{
    public const int MaxNameLength = 200;

    public async Task<TenantChangeResult> CreateTenant(string id, string name, string adminUsername, string adminPassword)
    {
        if (CheckNew(id, name, adminUsername) is { } invalid) return invalid;
        if (PasswordPolicy.Check(adminPassword, adminUsername, TenantSettings.Default) is { } weak)
            return TenantChangeResult.Fail(TenantChangeError.WeakPassword, weak);

        var catalog = GrainFactory.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);
        if (await catalog.Find(id) is not null)
            return TenantChangeResult.Fail(TenantChangeError.AlreadyExists, "Tenant already exists");

        var made = await MakeAsync(id, name, new NewUser(adminUsername, adminPassword, null, UserTypes.User, true, UserStatus.Active, "en", "UTC"));
        if (made.Tenant is { } info) await catalog.Put(EntryOf(info));
        return made;
    }

    /// <summary>
    /// The steps of a creation before its catalog entry, each idempotent: the tenant grain
    /// (settings, first key), its first admin, then the mark that the tenant is bootstrapped.
    /// </summary>
    private async Task<TenantChangeResult> MakeAsync(string id, string name, NewUser admin)
    {
        var tenant = GrainFactory.GetGrain<ITenantGrain>(id);
        var info = await tenant.EnsureCreated(name);
        var created = await GrainFactory.GetGrain<IUserRegistryGrain>(0).CreateUser(id, admin);
        if (created.Error is not (UserChangeError.None or UserChangeError.UsernameTaken))
            return TenantChangeResult.Fail(created.Error == UserChangeError.WeakPassword ? TenantChangeError.WeakPassword : TenantChangeError.Invalid, created.Detail!);
        await tenant.MarkBootstrapped();
        return new TenantChangeResult(TenantChangeError.None, info, null);
    }

    private static TenantEntry EntryOf(TenantInfo info) => new(info.Id, info.Name, info.Disabled, info.CreatedAt);

    /// <summary>Tenants created at once in a batch: each one's steps wait for a grain write or two.</summary>
    internal const int BulkConcurrency = 32;

    public async Task<IReadOnlyList<TenantChangeResult>> CreateTenants(IReadOnlyList<NewTenant> tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        if (tenants.Count > ITenantCatalogGrain.MaxBatch)
            throw new ArgumentException($"At most {ITenantCatalogGrain.MaxBatch} tenants at once, not {tenants.Count}", nameof(tenants));

        var results = new TenantChangeResult[tenants.Count];
        var catalog = GrainFactory.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);
        var listed = (await catalog.GetAll()).Tenants;
        var inBatch = new HashSet<string>(StringComparer.Ordinal);
        var work = new List<int>(tenants.Count);
        for (var i = 0; i < tenants.Count; i++)
        {
            var t = tenants[i];
            if (t is null) results[i] = TenantChangeResult.Fail(TenantChangeError.Invalid, "tenant missing");
            else if (CheckNew(t.Id, t.Name, t.AdminUsername) is { } invalid) results[i] = invalid;
            else if (t.AdminPasswordHash is null || !PasswordHasher.IsWellFormed(t.AdminPasswordHash))
                results[i] = TenantChangeResult.Fail(TenantChangeError.Invalid, "adminPasswordHash must be an Argon2id PHC string");
            else if (listed.ContainsKey(t.Id) || !inBatch.Add(t.Id)) results[i] = TenantChangeResult.Fail(TenantChangeError.AlreadyExists, "Tenant already exists");
            else work.Add(i);
        }

        // Each tenant as CreateTenant makes it (tenant grain, first admin, bootstrapped), a bounded
        // number at once; then the catalog entries of those that were made, in one write.
        var entries = new TenantEntry?[tenants.Count];
        Exception? failure = null;
        using var gate = new SemaphoreSlim(BulkConcurrency);
        await Task.WhenAll(work.Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var t = tenants[i];
                results[i] = await MakeAsync(t.Id, t.Name,
                    new NewUser(t.AdminUsername, null, null, UserTypes.User, true, UserStatus.Active, "en", "UTC", t.AdminPasswordHash));
                if (results[i].Tenant is { } info) entries[i] = EntryOf(info);
            }
            catch (Exception ex)
            {
                // The others go on and are listed; the caller sees this one (sending the batch again finishes it).
                Interlocked.CompareExchange(ref failure, ex, null);
            }
            finally
            {
                gate.Release();
            }
        }));
        var made = entries.OfType<TenantEntry>().ToList();
        if (made.Count > 0) await catalog.PutMany(made);
        if (failure is not null) throw failure;
        return results;
    }

    private static TenantChangeResult? CheckNew(string id, string name, string adminUsername)
    {
        if (!TenantIds.IsValid(id)) return TenantChangeResult.Fail(TenantChangeError.Invalid, "id must match ^[a-z0-9][a-z0-9-]{0,62}$");
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
            return TenantChangeResult.Fail(TenantChangeError.Invalid, $"name must be 1 to {MaxNameLength} characters");
        if (UserRules.CheckUsername(adminUsername) is { } badName) return TenantChangeResult.Fail(TenantChangeError.Invalid, "adminUsername: " + badName);
        return null;
    }

    public async Task<TenantChangeResult> SetDisabled(string id, bool disabled)
    {
        var catalog = GrainFactory.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key);
        if (await catalog.Find(id) is null) return TenantChangeResult.Fail(TenantChangeError.NotFound, "Unknown tenant");

        var info = await GrainFactory.GetGrain<ITenantGrain>(id).SetDisabled(disabled);
        await catalog.Put(EntryOf(info));
        return new TenantChangeResult(TenantChangeError.None, info, null);
    }
}
