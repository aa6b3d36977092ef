using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Users;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Sso;

[GenerateSerializer]
public sealed class SsoLinkState : IVersionedState
{
    [Id(0)] public int? UserId { get; set; }
    /// <summary>False while a link is being made: the user may or may not hold it yet.</summary>
    [Id(1)] public bool Confirmed { get; set; }
    [Id(2)] public int Shape { get; set; }
    /// <summary>The ID tokens this identity signed in with, by hash of their signed part, until they expire.</summary>
    [Id(3)] public Dictionary<string, AcceptedIdToken> AcceptedIdTokens { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One Entra identity of a tenant, linked to at most one user. Non-reentrant, so concurrent first
/// sign-ins of one person run one after the other and the later ones find the link. The user
/// grain is the single writer of its own side of the link, so two identities can never take one
/// user. The link is written as pending before the user is asked, and confirmed after: a crash in
/// between is finished by the next sign-in, never answered with a second user.
/// The ID tokens the identity signed in with are stored here too, until they expire, before the
/// sign-in goes on: a set kept only in memory would be lost with the activation (a silo failure, a
/// restart, idle collection), letting a stolen token in once more, and two activations of one
/// grain during a membership change would each accept it; the stored state's ETag lets only one
/// of them write.
/// </summary>
public sealed class SsoLinkGrain(
    [PersistentState("ssolink", StorageNames.Grains)] IPersistentState<SsoLinkState> state, TimeProvider time) : Grain, ISsoLinkGrain
{
    private (string Tenant, string EntraTenantId, string ObjectId) Key => SsoKeys.ParseLink(this.GetPrimaryKeyString());

    public async Task<SsoLoginError> Accept(IdTokenUse use)
    {
        var answer = new AcceptedIdTokens(state.State.AcceptedIdTokens).Accept(use, time.GetUtcNow());
        if (answer == SsoLoginError.None) await state.WriteOrDeactivateAsync(this);
        return answer;
    }

    public async Task<int?> Resolve(string? claimValue, bool autoProvision)
    {
        if (state.State is { Confirmed: true, UserId: { } linked }) return linked;
        if (state.State is { Confirmed: false, UserId: { } pending })
        {
            if (await TryLinkAsync(pending)) return pending;
        }

        var (tenant, _, _) = Key;
        if (claimValue is not null)
        {
            // Only a value that could be a username (or an email) is looked up as one: anything else
            // (a control character, say) can equal no user, and would reach a grain key, the database
            // (PostgreSQL refuses a NUL) and the runtime's log lines.
            int? candidate = null;
            if (UserRules.CheckUsername(claimValue) is null && GrainKeys.TryNormalizeName(claimValue, out var name))
                candidate = await NameGrain(tenant, UniqueNameKind.Username, name).Lookup();
            if (candidate is null && UserRules.CheckEmail(claimValue) is null && GrainKeys.TryNormalizeName(claimValue, out var email))
                candidate = await NameGrain(tenant, UniqueNameKind.Email, email).Lookup();
            if (candidate is { } id && await TryLinkAsync(id)) return id;

            if (autoProvision && UserRules.CheckUsername(claimValue) is null)
            {
                var created = await GrainFactory.GetGrain<IUserRegistryGrain>(0).CreateUser(tenant,
                    new NewUser(claimValue, null, null, UserTypes.User, false, UserStatus.Active, "en", "UTC"));
                if (created.User is { } user && await TryLinkAsync(user.Id)) return user.Id;
            }
        }
        if (state.State.UserId is not null) await UnlinkAsync();
        return null;
    }

    public async Task Forget(int userId)
    {
        if (state.State.UserId == userId) await UnlinkAsync();
    }

    /// <summary>Pending first, then the user's side, then confirmed.</summary>
    private async Task<bool> TryLinkAsync(int userId)
    {
        var (tenant, entraTenantId, objectId) = Key;
        if (state.State.UserId != userId || state.State.Confirmed)
        {
            state.State.UserId = userId;
            state.State.Confirmed = false;
            await state.WriteOrDeactivateAsync(this);
        }
        if (!await GrainFactory.GetGrain<IUserSsoGrain>(GrainKeys.User(tenant, userId)).LinkSso(entraTenantId, objectId)) return false;
        state.State.Confirmed = true;
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    /// <summary>Drops the link; the used ID tokens stay until they expire.</summary>
    private async Task UnlinkAsync()
    {
        var tokens = new AcceptedIdTokens(state.State.AcceptedIdTokens);
        tokens.Prune(time.GetUtcNow());
        if (tokens.Count > 0)
        {
            state.State.UserId = null;
            state.State.Confirmed = false;
            await state.WriteOrDeactivateAsync(this);
            return;
        }
        await state.ClearOrDeactivateAsync(this);
        state.State = new SsoLinkState();
    }

    private IUniqueNameGrain NameGrain(string tenant, UniqueNameKind kind, string normalized) =>
        GrainFactory.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName(tenant, kind, normalized));
}
