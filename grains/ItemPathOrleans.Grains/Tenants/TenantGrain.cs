using System.Security.Cryptography;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Tenants;

public sealed class TenantGrain(
    [PersistentState("tenant", StorageNames.Grains)] IPersistentState<TenantState> state,
    IOptions<TokensOptions> tokens,
    SecurityEvents securityEvents,
    TimeProvider time,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    public Task<TenantInfo?> Get() => Task.FromResult(state.State.Info);

    public async Task<TenantInfo> EnsureCreated(string name)
    {
        if (state.State.Info is { } existing) return existing;

        var now = time.GetUtcNow();
        var master = tokens.Value.CurrentMasterKey;
        // Without its RSA companion, made on first need (EnsureIdTokenKey): a tenant that never
        // publishes its JWKS or signs an ID token never pays for an RSA-2048 key generation.
        var first = new SigningKeyVersion("k1", master.Id, RandomNumberGenerator.GetBytes(32), now, null);
        await StoreAsync(new TenantInfo(this.GetPrimaryKeyString(), name, false, now, TenantSettings.Default, [first], first.Kid));
        return state.State.Info!;
    }

    public async Task<(TenantInfo? Tenant, string? Error)> UpdateSettings(TenantSettingsPatch patch)
    {
        RequireCreated();
        var info = state.State.Info!;
        var settings = patch.ApplyTo(info.Settings);
        if (TenantSettingsRules.Validate(settings) is { } error) return (null, error);
        var updated = info with { Settings = settings, Version = info.Version + 1 };
        // A change of algorithm takes effect with a new key version of that algorithm: the stored
        // versions stay as they are (retirable, and usable again if the tenant switches back).
        var switched = info.FindKey(info.CurrentKid)?.Alg != settings.Algorithm;
        if (switched) updated = WithNewVersion(updated);
        await StoreAsync(updated);
        if (switched)
            await securityEvents.RecordAsync(new SecurityEvent(info.Id, null, SecurityEventNames.KeyRotated, $"{updated.CurrentKid} signs from now on with {settings.Algorithm}", time.GetUtcNow()));
        return (state.State.Info, null);
    }

    public async Task<TenantInfo> SetDisabled(bool disabled)
    {
        RequireCreated();
        var info = state.State.Info!;
        if (info.Disabled == disabled) return info;
        await StoreAsync(info with { Disabled = disabled, Version = info.Version + 1 });
        return state.State.Info!;
    }

    public async Task<TenantInfo> RotateKey()
    {
        RequireCreated();
        var info = state.State.Info!;
        await StoreAsync(WithNewVersion(info with { Version = info.Version + 1 }));
        await securityEvents.RecordAsync(new SecurityEvent(info.Id, null, SecurityEventNames.KeyRotated, $"{state.State.Info!.CurrentKid} signs from now on", time.GetUtcNow()));
        return state.State.Info;
    }

    /// <summary>
    /// Stores a new version of the tenant (settings, status or key ring), recorded with the
    /// versions grain before the write and after it (see <see cref="ITenantVersionsGrain"/>): a
    /// node's copy stays trusted only while no newer version is recorded. The record before is
    /// required (if it fails, nothing is stored and the caller fails); the one after carries the
    /// change to a versions grain reactivated in between, and its failure is only logged: the
    /// change is stored, and nodes apply it within <see cref="TenantVersionFeed.TrustAtMost"/> at worst.
    /// </summary>
    private async Task StoreAsync(TenantInfo changed)
    {
        var versions = GrainFactory.GetGrain<ITenantVersionsGrain>(ITenantVersionsGrain.Key);
        await versions.Record(changed.Id, changed.Version);
        state.State.Info = changed;
        await state.WriteOrDeactivateAsync(this);
        try
        {
            await versions.Record(changed.Id, changed.Version);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Tenant {Tenant}: version {Version} is stored but could not be recorded again after the write; nodes apply it within {TrustAtMost} at worst",
                changed.Id, changed.Version, TenantVersionFeed.TrustAtMost);
        }
    }

    /// <summary>The ring with a new current version of the tenant's algorithm, derived from the current master key.</summary>
    private TenantInfo WithNewVersion(TenantInfo info)
    {
        var next = info.Keys.Select(k => int.TryParse(k.Kid.AsSpan(1), out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1;
        var kid = $"k{next}";
        var master = tokens.Value.CurrentMasterKey;
        var version = info.Settings.Algorithm == SigningAlgorithms.ES256
            ? EcSigningKeys.Create(info.Id, kid, master, time.GetUtcNow())
            : new SigningKeyVersion(kid, master.Id, RandomNumberGenerator.GetBytes(32), time.GetUtcNow(), null);
        // Its RSA companion comes on first need, as for the first version (EnsureIdTokenKey).
        return info with { Keys = [.. info.Keys, version], CurrentKid = version.Kid };
    }

    public async Task<TenantInfo> EnsureIdTokenKey()
    {
        RequireCreated();
        var info = state.State.Info!;
        var current = info.FindKey(info.CurrentKid) ?? throw new InvalidOperationException($"Tenant '{info.Id}' has no signing key '{info.CurrentKid}'.");
        if (current.HasIdTokenKey) return info;
        // Encrypted under the version's own master key, which opens its other key too.
        var master = tokens.Value.MasterKeys.FirstOrDefault(k => k.Id == current.MasterKeyId)
                     ?? throw new SigningKeyUnavailableException($"Tenant '{info.Id}': master key '{current.MasterKeyId}' of signing key {current.Kid} is not configured.");
        var completed = RsaSigningKeys.WithCompanion(info.Id, current, master);
        await StoreAsync(info with { Keys = info.Keys.Select(k => k.Kid == current.Kid ? completed : k).ToList(), Version = info.Version + 1 });
        return state.State.Info!;
    }

    public async Task<(TenantInfo? Tenant, KeyRetireError Error)> RetireKey(string kid)
    {
        RequireCreated();
        var info = state.State.Info!;
        var key = info.FindKey(kid);
        if (key is null) return (null, KeyRetireError.NotFound);
        if (kid == info.CurrentKid) return (null, KeyRetireError.Current);
        if (key.RetiredAt is not null) return (info, KeyRetireError.None);
        var retired = key with { RetiredAt = time.GetUtcNow() };
        await StoreAsync(info with { Keys = info.Keys.Select(k => k.Kid == kid ? retired : k).ToList(), Version = info.Version + 1 });
        await securityEvents.RecordAsync(new SecurityEvent(info.Id, null, SecurityEventNames.KeyRetired, $"{kid} retired: its tokens stop", time.GetUtcNow()));
        return (state.State.Info, KeyRetireError.None);
    }

    // User ids come from blocks reserved by one durable write each: a lone creation reserves a block
    // of one (ids stay consecutive), a burst of creations doubles the block up to MaxIdBlock, so a bulk
    // import does not queue every creation behind this one grain's writes. Only reserved ids are
    // handed out; an activation that ends mid-block leaves a gap, never a duplicate.
    internal const int MaxIdBlock = 256;
    private static readonly TimeSpan BurstWindow = TimeSpan.FromSeconds(1);
    private int _nextId = 1, _blockEnd, _blockSize;
    private DateTimeOffset _lastReservation = DateTimeOffset.MinValue;

    public async Task<int> NextUserId()
    {
        RequireCreated();
        if (_nextId > _blockEnd)
        {
            var now = time.GetUtcNow();
            _blockSize = now - _lastReservation < BurstWindow ? Math.Clamp(_blockSize * 2, 1, MaxIdBlock) : 1;
            var first = state.State.LastUserId + 1;
            state.State.LastUserId += _blockSize;
            await state.WriteOrDeactivateAsync(this);
            (_nextId, _blockEnd, _lastReservation) = (first, state.State.LastUserId, now);
        }
        return _nextId++;
    }

    public Task<bool> IsBootstrapped() => Task.FromResult(state.State.Bootstrapped);

    public async Task MarkBootstrapped()
    {
        if (state.State.Bootstrapped) return;
        state.State.Bootstrapped = true;
        await state.WriteOrDeactivateAsync(this);
    }

    public async Task AddActiveAdmin(int userId)
    {
        if (state.State.ActiveAdmins.Add(userId)) await state.WriteOrDeactivateAsync(this);
    }

    public async Task<bool> TryRemoveActiveAdmin(int userId)
    {
        var admins = state.State.ActiveAdmins;
        if (!admins.Contains(userId)) return true;
        if (admins.Count == 1) return false;
        admins.Remove(userId);
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    private void RequireCreated()
    {
        if (state.State.Info is null) throw new InvalidOperationException($"Tenant '{this.GetPrimaryKeyString()}' does not exist.");
    }
}
