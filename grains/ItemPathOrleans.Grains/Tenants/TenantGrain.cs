using System.Security.Cryptography;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Grains.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Tenants;

public sealed class TenantGrain(
    [PersistentState("tenant", StorageNames.Grains)] IPersistentState<TenantState> state,
    IOptions<TokensOptions> tokens,
    TimeProvider time) : Grain, ITenantGrain
{
    public Task<TenantInfo?> Get() => Task.FromResult(state.State.Info);

    public async Task<TenantInfo> EnsureCreated(string name)
    {
        if (state.State.Info is { } existing) return existing;

        var now = time.GetUtcNow();
        var first = new SigningKeyVersion("k1", tokens.Value.CurrentMasterKey.Id, RandomNumberGenerator.GetBytes(32), now, null);
        state.State.Info = new TenantInfo(this.GetPrimaryKeyString(), name, false, now, TenantSettings.Default, [first], first.Kid);
        await state.WriteOrDeactivateAsync(this);
        return state.State.Info;
    }

    public async Task<(TenantInfo? Tenant, string? Error)> UpdateSettings(TenantSettingsPatch patch)
    {
        RequireCreated();
        var info = state.State.Info!;
        var settings = patch.ApplyTo(info.Settings);
        if (TenantSettingsRules.Validate(settings) is { } error) return (null, error);
        state.State.Info = info with { Settings = settings, Version = info.Version + 1 };
        await state.WriteOrDeactivateAsync(this);
        return (state.State.Info, null);
    }

    public async Task<int> NextUserId()
    {
        RequireCreated();
        state.State.LastUserId++;
        await state.WriteOrDeactivateAsync(this);
        return state.State.LastUserId;
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
