using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Lockout;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Names;

[GenerateSerializer]
public sealed class UniqueNameState
{
    [Id(0)] public int? OwnerId { get; set; }
    [Id(1)] public bool Confirmed { get; set; }
    [Id(2)] public DateTimeOffset ReservedAt { get; set; }
}

public sealed partial class UniqueNameGrain(
    [PersistentState("name", StorageNames.Grains)] IPersistentState<UniqueNameState> state,
    TenantCache tenants,
    TimeProvider time,
    ILogger<UniqueNameGrain> logger) : Grain, IUniqueNameGrain
{
    // Lockout of a name nobody holds: in memory only, bounded; nothing is ever stored for it.
    private LoginThrottle? _throttle;

    /// <summary>How long an unconfirmed reservation blocks others (a creation that died half-way).</summary>
    public static readonly TimeSpan ReservationTimeout = TimeSpan.FromMinutes(1);

    public Task<int?> Lookup() => Task.FromResult(state.State.Confirmed ? state.State.OwnerId : null);

    public async Task<bool> Reserve(int userId)
    {
        var s = state.State;
        if (s.OwnerId == userId) return true;
        if (s.OwnerId is { } owner)
        {
            if (s.Confirmed) return false;
            if (time.GetUtcNow() - s.ReservedAt < ReservationTimeout) return false;
            // A reservation never confirmed: its user may have been written before the creator
            // died. Confirm it for that user rather than hand the name to a second one.
            if (await OwnerHoldsName(owner))
            {
                s.Confirmed = true;
                await state.WriteOrDeactivateAsync(this);
                return false;
            }
        }

        s.OwnerId = userId;
        s.Confirmed = false;
        s.ReservedAt = time.GetUtcNow();
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public async Task Confirm(int userId)
    {
        if (state.State.OwnerId != userId || state.State.Confirmed) return;
        state.State.Confirmed = true;
        await state.WriteOrDeactivateAsync(this);
    }

    public async Task Release(int userId)
    {
        if (state.State.OwnerId != userId) return;
        await state.ClearOrDeactivateAsync(this);
        state.State = new UniqueNameState();
    }

    public async Task<NameLoginStart> BeginLogin(string clientAddress)
    {
        if (state.State is { Confirmed: true, OwnerId: { } owner }) return new NameLoginStart(owner, 0);

        var tenant = this.GetPrimaryKeyString().Split('/', 2)[0];
        var settings = (await tenants.GetAsync(tenant)).Settings;
        var now = time.GetUtcNow();
        _throttle ??= new LoginThrottle();
        var decision = _throttle.Begin(ClientAddresses.Key(clientAddress), now, settings);
        // Keep the counters alive while they matter.
        DelayDeactivation(TimeSpan.FromSeconds(Math.Max(settings.LockoutUserWindowSeconds, settings.LockoutMaxSeconds)));
        if (decision.Allowed) return new NameLoginStart(null, 0);
        if (decision.JustLocked) LogUnknownNameLocked(logger, tenant);
        return new NameLoginStart(null, Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds)));
    }

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Security event locked_out for an unknown username of tenant {Tenant}")]
    private static partial void LogUnknownNameLocked(ILogger logger, string tenant);

    private async Task<bool> OwnerHoldsName(int owner)
    {
        var key = this.GetPrimaryKeyString();
        var parts = key.Split('/', 3);
        var profile = await GrainFactory.GetGrain<IUserGrain>(GrainKeys.User(parts[0], owner)).GetProfile();
        if (profile is null) return false;
        var name = parts[1] == "u" ? profile.Username : profile.Email;
        return name is not null && GrainKeys.NormalizeName(name) == parts[2];
    }
}
