using ItemPathOrleans.ClusterNode.Lockout;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Lockout;
using Microsoft.Extensions.Logging;
using Orleans.Placement;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Names;

[GenerateSerializer]
public sealed class UniqueNameState : IVersionedState
{
    [Id(0)] public int? OwnerId { get; set; }
    [Id(1)] public bool Confirmed { get; set; }
    [Id(2)] public DateTimeOffset ReservedAt { get; set; }
    [Id(3)] public int Shape { get; set; }
}

/// <remarks>
/// Placed by a hash of its key, so a name always lands on the same silo while membership is
/// stable: the counters of a name nobody holds, kept per silo, then stay in one place.
/// </remarks>
[HashBasedPlacement]
public sealed partial class UniqueNameGrain(
    [PersistentState("name", StorageNames.Grains)] IPersistentState<UniqueNameState> state,
    TenantCache tenants,
    UnknownNameThrottles unknownNames,
    TimeProvider time,
    ILogger<UniqueNameGrain> logger) : Grain, IUniqueNameGrain
{
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

        // A name nobody holds: its counters live in the silo's bounded map, nothing is stored, and
        // this activation goes at once, so a flood of random names cannot fill the silo.
        var key = this.GetPrimaryKeyString();
        var tenant = key.Split('/', 2)[0];
        var settings = (await tenants.GetAsync(tenant)).Settings;
        if (state.State.OwnerId is null) DeactivateOnIdle();
        var decision = unknownNames.For(key).Begin(ClientAddresses.Key(clientAddress), time.GetUtcNow(), settings);
        if (decision.Allowed) return new NameLoginStart(null, 0);
        if (decision.JustLocked)
        {
            Observability.SessionMetrics.LockStarted(knownUser: false);
            LogUnknownNameLocked(logger, tenant);
        }
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
