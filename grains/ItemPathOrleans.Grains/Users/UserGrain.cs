using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Grains.Directory;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// One user: the single writer for its profile, password hash and sessions. Every change that
/// a token depends on is stored before the token is returned.
/// </summary>
public sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Grains)] IPersistentState<UserState> state,
    TenantCache tenants,
    TokenMinter minter,
    IUserDirectory directory,
    TimeProvider time,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private const int MaxPendingLogins = 256;
    private static readonly TimeSpan PermitLifetime = TimeSpan.FromMinutes(1);

    // Logins between their two halves; in memory only, bounded.
    private readonly Dictionary<Guid, DateTimeOffset> _permits = [];
    private bool _directoryStale;

    private string Tenant => GrainKeys.ParseUser(this.GetPrimaryKeyString()).Tenant;
    private int UserId => GrainKeys.ParseUser(this.GetPrimaryKeyString()).UserId;
    private UserProfile? Profile => state.State.Profile;
    private SessionBook Sessions => new(state.State.Sessions);

    /// <summary>Now, in whole seconds: token times are whole seconds and must match the stored ones.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());

    public Task<UserProfile?> GetProfile() => Task.FromResult(Profile);

    public async Task<UserChangeResult> Create(UserProfile profile, string? passwordHash)
    {
        if (Profile is not null) return UserChangeResult.Fail(UserChangeError.Invalid, "User already exists");
        state.State.Profile = profile;
        state.State.PasswordHash = passwordHash;
        await state.WriteOrDeactivateAsync(this);
        await SyncDirectoryAsync();
        if (profile.IsActiveAdmin) await TenantGrain.AddActiveAdmin(profile.Id);
        return UserChangeResult.Ok(profile);
    }

    public async Task<UserChangeResult> Update(UserChanges changes, string? newPasswordHash)
    {
        if (Profile is not { } before) return UserChangeResult.Fail(UserChangeError.NotFound, "User not found");

        var type = changes.Type ?? before.Type;
        var after = before with
        {
            Username = changes.Username ?? before.Username,
            Email = changes.EmailPresent ? changes.Email : before.Email,
            Type = type,
            // A type change re-maps the stored status (1 <-> 3) even when no status is sent.
            Status = UserStatus.Normalize(changes.Status ?? before.Status, type),
            IsAdmin = changes.IsAdmin ?? before.IsAdmin,
            Language = changes.Language ?? before.Language,
            TimeZone = changes.TimeZone ?? before.TimeZone,
            UpdatedAt = time.GetUtcNow(),
        };

        var losesAdmin = before.IsActiveAdmin && !after.IsActiveAdmin;
        if (losesAdmin && !await TenantGrain.TryRemoveActiveAdmin(before.Id))
            return UserChangeResult.Fail(UserChangeError.LastAdmin, "The last active admin of a tenant cannot be deactivated or demoted");

        state.State.Profile = after;
        // A password set by an admin or a deactivation ends every session.
        if (newPasswordHash is not null || (before.IsActive && !after.IsActive))
        {
            Sessions.RevokeAll();
        }
        if (newPasswordHash is not null) state.State.PasswordHash = newPasswordHash;

        try
        {
            await state.WriteOrDeactivateAsync(this);
        }
        catch
        {
            if (losesAdmin) await TenantGrain.AddActiveAdmin(before.Id);
            throw;
        }
        await SyncDirectoryAsync();
        if (!before.IsActiveAdmin && after.IsActiveAdmin) await TenantGrain.AddActiveAdmin(after.Id);
        return UserChangeResult.Ok(after);
    }

    public async Task<UserChangeResult> Delete()
    {
        if (Profile is not { } profile) return UserChangeResult.Fail(UserChangeError.NotFound, "User not found");
        if (profile.IsActiveAdmin && !await TenantGrain.TryRemoveActiveAdmin(profile.Id))
            return UserChangeResult.Fail(UserChangeError.LastAdmin, "The last active admin of a tenant cannot be deleted");

        try
        {
            await state.ClearOrDeactivateAsync(this);
        }
        catch
        {
            if (profile.IsActiveAdmin) await TenantGrain.AddActiveAdmin(profile.Id);
            throw;
        }
        state.State = new UserState();
        await directory.DeleteAsync(profile.Tenant, profile.Id);
        return UserChangeResult.Ok(profile);
    }

    public Task<LoginPermit> BeginLogin()
    {
        var now = time.GetUtcNow();
        foreach (var (id, issued) in _permits)
        {
            if (now - issued > PermitLifetime) _permits.Remove(id);
        }
        if (Profile is null || state.State.PasswordHash is null || _permits.Count >= MaxPendingLogins)
        {
            return Task.FromResult(new LoginPermit(false, Guid.Empty, null));
        }
        var permit = Guid.NewGuid();
        _permits[permit] = now;
        return Task.FromResult(new LoginPermit(true, permit, state.State.PasswordHash));
    }

    public async Task<LoginResult> CompleteLogin(Guid permitId, bool passwordMatched, string? rehashedPassword)
    {
        if (!_permits.Remove(permitId) || !passwordMatched || Profile is not { IsActive: true } profile)
        {
            return LoginResult.Fail(TokenError.BadCredentials);
        }

        var tenant = await tenants.GetAsync(Tenant);
        var now = Now();
        var session = Sessions.OpenLogin(SessionKinds.Login, now,
            TimeSpan.FromSeconds(tenant.Settings.RefreshTokenLifetimeSeconds), tenant.Settings.MaxSessionsPerUser);
        if (rehashedPassword is not null) state.State.PasswordHash = rehashedPassword;
        await state.WriteOrDeactivateAsync(this);

        var access = MintAccess(tenant, profile, session, now);
        var refresh = new IssuedToken(minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.RefreshType, session.RefreshJti!, profile.Username, session.RefreshIssuedAt,
            session.ExpiresAt!.Value.ToUnixTimeSeconds(), profile.Id, session.Id)), session.ExpiresAt);
        return new LoginResult(TokenError.None, access, refresh, profile);
    }

    public async Task<RefreshResult> Refresh(string sessionId, string refreshJti)
    {
        var now = Now();
        var (error, session) = FindRefreshableSession(sessionId, refreshJti, now);
        if (error != TokenError.None) return RefreshResult.Fail(error);

        session!.LastUsedAt = now;
        var tenant = await tenants.GetAsync(Tenant);
        return new RefreshResult(TokenError.None, MintAccess(tenant, Profile!, session, now), null);
    }

    public async Task<ApplicationTokenResult> CreateApplicationToken(string sessionId, string refreshJti, string? name)
    {
        var now = Now();
        var (error, _) = FindRefreshableSession(sessionId, refreshJti, now);
        if (error != TokenError.None) return ApplicationTokenResult.Fail(error);
        var profile = Profile!;
        if (profile.Type != UserTypes.Application) return ApplicationTokenResult.Fail(TokenError.NotApplicationUser);

        var tenant = await tenants.GetAsync(Tenant);
        if (Sessions.ActiveApplicationTokens(now) >= tenant.Settings.MaxApplicationTokensPerUser)
            return ApplicationTokenResult.Fail(TokenError.TooManyApplicationTokens);

        var app = Sessions.OpenApplication(name, now);
        await state.WriteOrDeactivateAsync(this);

        var token = minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.AccessType, app.Id, profile.Username, now.ToUnixTimeSeconds(), null, profile.Id, app.Id));
        LogApplicationTokenCreated(logger, Tenant, profile.Id, app.Id);
        return new ApplicationTokenResult(TokenError.None, token, app.Id, app.Name);
    }

    public Task<SessionCheck> CheckSession(string sessionId)
    {
        var session = Sessions.Find(sessionId);
        var profile = Profile;
        return Task.FromResult(new SessionCheck(
            profile?.IsActive ?? false,
            session?.IsActive(time.GetUtcNow()) ?? false,
            session?.Kind,
            profile?.IsAdmin ?? false,
            session?.RefreshJti));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_directoryStale) await SyncDirectoryAsync();
    }

    private (TokenError Error, Session? Session) FindRefreshableSession(string sessionId, string refreshJti, DateTimeOffset now)
    {
        if (Profile is not { IsActive: true }) return (TokenError.UserInactive, null);
        var session = Sessions.Find(sessionId);
        if (session is null || session.Revoked || session.Kind == SessionKinds.Application || session.RefreshJti != refreshJti)
            return (TokenError.SessionRevoked, null);
        if (session.IsExpired(now)) return (TokenError.SessionExpired, null);
        return (TokenError.None, session);
    }

    private IssuedToken MintAccess(TenantInfo tenant, UserProfile profile, Session session, DateTimeOffset now)
    {
        var expiry = now.AddSeconds(tenant.Settings.AccessTokenLifetimeSeconds);
        if (session.ExpiresAt is { } sessionEnd && sessionEnd < expiry) expiry = sessionEnd;
        var token = minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.AccessType, Guid.NewGuid().ToString(), profile.Username, now.ToUnixTimeSeconds(),
            expiry.ToUnixTimeSeconds(), profile.Id, session.Id));
        return new IssuedToken(token, expiry);
    }

    /// <summary>
    /// Copies the profile to the queryable directory. A failure is logged and retried with the
    /// next write or at deactivation: the grain state is the truth, the directory a view of it.
    /// </summary>
    private async Task SyncDirectoryAsync()
    {
        try
        {
            if (Profile is { } profile) await directory.UpsertAsync(profile);
            _directoryStale = false;
        }
        catch (Exception ex)
        {
            _directoryStale = true;
            LogDirectoryFailed(logger, ex, Tenant, UserId);
        }
    }

    private ITenantGrain TenantGrain => GrainFactory.GetGrain<ITenantGrain>(Tenant);

    [LoggerMessage(Level = LogLevel.Information, Message = "Application token {SessionId} created for user {UserId} of tenant {Tenant}")]
    private static partial void LogApplicationTokenCreated(ILogger logger, string tenant, int userId, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User directory update failed for user {UserId} of tenant {Tenant}; it will be retried")]
    private static partial void LogDirectoryFailed(ILogger logger, Exception exception, string tenant, int userId);
}
