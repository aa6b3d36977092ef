using ItemPathOrleans.ClusterNode.Lockout;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Grains.Directory;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Lockout;
using ItemPathOrleans.Grains.Observability;
using ItemPathOrleans.Grains.Security;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// One user: the single writer for its profile, password hash and sessions. Every change that
/// a token depends on is stored before the token is returned; a failed write drops the
/// activation and fails the call.
/// </summary>
public sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Grains)] IPersistentState<UserState> state,
    TenantCache tenants,
    TokenMinter minter,
    IUserDirectory directory,
    SecurityEvents securityEvents,
    TimeProvider time,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private const int MaxPendingLogins = 256;
    private static readonly TimeSpan PermitLifetime = TimeSpan.FromMinutes(1);

    // Logins between their two halves: the client address each counts against and the credential
    // version its password is checked against; in memory only, bounded.
    private readonly Dictionary<Guid, PendingLogin> _permits = [];
    // Failed-login counters: in memory (a write per failed guess would hand attackers the database).
    private readonly LoginThrottle _throttle = new();
    private bool _directoryStale;
    // lastUsedAt changes live in memory and are stored with the next write or at deactivation.
    private bool _lastUsedDirty;
    // After a failed write the memory may hold changes nobody was answered for: never store them.
    private bool _writeFailed;
    // Active sessions this activation has reported to the silo's gauge.
    private int _reportedActive;

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
        await WriteAsync();
        await SyncDirectoryAsync();
        if (profile.IsActiveAdmin) await TenantGrain.AddActiveAdmin(profile.Id);
        await RecordAsync(SecurityEventNames.UserCreated, $"type {profile.Type}, status {profile.Status}, admin {profile.IsAdmin}");
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
        if (newPasswordHash is not null || before.Status != after.Status || before.Type != after.Type) CredentialChanged();
        // A password set by an admin or a deactivation ends every session; an application user
        // made a plain user loses its application tokens, in the same write.
        IReadOnlyList<Session> revoked = [];
        if (newPasswordHash is not null)
        {
            state.State.PasswordHash = newPasswordHash;
            revoked = Sessions.RevokeAll(RevocationReasons.PasswordChanged, Now());
        }
        else if (before.IsActive && !after.IsActive)
        {
            revoked = Sessions.RevokeAll(RevocationReasons.UserDeactivated, Now());
        }
        else if (before.Type == UserTypes.Application && after.Type != UserTypes.Application)
        {
            revoked = Sessions.RevokeKind(SessionKinds.Application, RevocationReasons.TypeChanged, Now());
        }

        try
        {
            await WriteAsync();
        }
        catch
        {
            if (losesAdmin) await TenantGrain.AddActiveAdmin(before.Id);
            throw;
        }
        await SyncDirectoryAsync();
        if (!before.IsActiveAdmin && after.IsActiveAdmin) await TenantGrain.AddActiveAdmin(after.Id);
        await RecordAsync(SecurityEventNames.UserChanged, Describe(before, after, newPasswordHash is not null));
        await RecordRevocationsAsync(revoked);
        return UserChangeResult.Ok(after);
    }

    public async Task<UserChangeResult> ResetAdminPassword(string newPasswordHash)
    {
        if (Profile is not { } profile) return UserChangeResult.Fail(UserChangeError.NotFound, "User not found");
        if (!profile.IsActiveAdmin)
            return UserChangeResult.Fail(UserChangeError.Invalid, $"'{profile.Username}' is not an active admin: the break-glass reset is for admins only");

        state.State.PasswordHash = newPasswordHash;
        CredentialChanged();
        var revoked = Sessions.RevokeAll(RevocationReasons.BreakGlass, Now());
        await WriteAsync();
        _throttle.Reset();
        await RecordAsync(SecurityEventNames.BreakGlassPasswordReset, $"password set from the command line; {revoked.Count} sessions ended");
        await RecordRevocationsAsync(revoked);
        return new UserChangeResult(UserChangeError.None, profile, $"sessions and application tokens ended: {revoked.Count}");
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
        await RecordAsync(SecurityEventNames.UserDeleted, $"username {profile.Username}");
        return UserChangeResult.Ok(profile);
    }

    public async Task<LoginPermit> BeginLogin(string clientAddress)
    {
        var now = time.GetUtcNow();
        foreach (var (id, permit) in _permits)
        {
            if (now - permit.Issued > PermitLifetime) _permits.Remove(id);
        }
        if (Profile is null) return new LoginPermit(false, Guid.Empty, null);

        var settings = (await tenants.GetAsync(Tenant)).Settings;
        var address = ClientAddresses.Key(clientAddress);
        var decision = _throttle.Begin(address, now, settings);
        if (!decision.Allowed)
        {
            if (decision.JustLocked) SessionMetrics.LockStarted(knownUser: true);
            if (decision.JustLocked) await RecordAsync(SecurityEventNames.LockedOut, $"locked for {(int)decision.RetryAfter.TotalSeconds} s", address);
            DelayDeactivation(decision.RetryAfter);
            return new LoginPermit(false, Guid.Empty, null, Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds)));
        }
        if (state.State.PasswordHash is null || _permits.Count >= MaxPendingLogins)
        {
            return new LoginPermit(false, Guid.Empty, null);
        }
        var permitId = Guid.NewGuid();
        _permits[permitId] = new PendingLogin(now, address, state.State.CredentialVersion);
        return new LoginPermit(true, permitId, state.State.PasswordHash);
    }

    public async Task<LoginResult> CompleteLogin(Guid permitId, bool passwordMatched, string? rehashedPassword, string? clientId = null)
    {
        // An unknown permit after a matched password: this activation is not the one that handed it out.
        if (!_permits.Remove(permitId, out var permit)) return LoginResult.Fail(passwordMatched ? TokenError.PermitLost : TokenError.BadCredentials);
        if (Refusal(permit, passwordMatched) is { } refusal)
        {
            await RecordAsync(SecurityEventNames.LoginFailed, refusal, permit.Address);
            return LoginResult.Fail(TokenError.BadCredentials);
        }
        var profile = Profile!;
        _throttle.Succeeded(permit.Address);

        var tenant = await tenants.GetAsync(Tenant);
        var now = Now();
        var (session, evicted) = Sessions.OpenLogin(SessionKinds.Login, now,
            TimeSpan.FromSeconds(tenant.Settings.RefreshTokenLifetimeSeconds), tenant.Settings.MaxSessionsPerUser);
        session.ClientId = clientId;
        if (rehashedPassword is not null) state.State.PasswordHash = rehashedPassword;
        await WriteAsync();
        SessionMetrics.SessionOpened(session.Kind);
        await RecordAsync(SecurityEventNames.LoginSucceeded, $"session {session.Id}", permit.Address);
        await RecordRevocationsAsync(evicted);

        var access = MintAccess(tenant, profile, session, now);
        return new LoginResult(TokenError.None, access, MintRefresh(tenant, profile, session), profile);
    }

    public async Task<RefreshResult> Refresh(string sessionId, string refreshJti)
    {
        var now = Now();
        if (Profile is not { IsActive: true } profile) return RefreshResult.Fail(TokenError.UserInactive);
        if (Sessions.Find(sessionId) is not { } session) return RefreshResult.Fail(TokenError.SessionRevoked);

        var tenant = await tenants.GetAsync(Tenant);
        var settings = tenant.Settings;
        switch (session.Present(refreshJti, now, TimeSpan.FromSeconds(settings.RefreshReuseGraceSeconds)))
        {
            case RefreshPresentation.Revoked:
                return RefreshResult.Fail(TokenError.SessionRevoked);
            case RefreshPresentation.Expired:
                return RefreshResult.Fail(TokenError.SessionExpired);
            case RefreshPresentation.Reuse:
                await RevokeForReuseAsync(session, now);
                return RefreshResult.Fail(TokenError.SessionRevoked);
            case RefreshPresentation.Replay:
                // The same answer, byte for byte: re-signed from the stored jti and iat.
                return new RefreshResult(TokenError.None, MintAccess(tenant, profile, session, session.RotationAnswer!), MintRefresh(tenant, profile, session));
        }

        session.LastUsedAt = now;
        _lastUsedDirty = true;
        if (!settings.RefreshTokenRotation)
        {
            return new RefreshResult(TokenError.None, MintAccess(tenant, profile, session, now), null);
        }

        var answer = new AccessAnswer(Guid.NewGuid().ToString(), now.ToUnixTimeSeconds(), AccessExpiry(tenant, session, now).ToUnixTimeSeconds());
        session.Rotate(Guid.NewGuid().ToString(), now, answer);
        await WriteAsync();
        return new RefreshResult(TokenError.None, MintAccess(tenant, profile, session, answer), MintRefresh(tenant, profile, session));
    }

    public async Task<ApplicationTokenResult> CreateApplicationToken(string sessionId, string refreshJti, string? name)
    {
        var now = Now();
        if (Profile is not { IsActive: true } profile) return ApplicationTokenResult.Fail(TokenError.UserInactive);
        if (Sessions.Find(sessionId) is not { } session) return ApplicationTokenResult.Fail(TokenError.SessionRevoked);

        var tenant = await tenants.GetAsync(Tenant);
        switch (session.Present(refreshJti, now, TimeSpan.FromSeconds(tenant.Settings.RefreshReuseGraceSeconds)))
        {
            case RefreshPresentation.Current:
                break;
            case RefreshPresentation.Expired:
                return ApplicationTokenResult.Fail(TokenError.SessionExpired);
            case RefreshPresentation.Reuse:
                await RevokeForReuseAsync(session, now);
                return ApplicationTokenResult.Fail(TokenError.SessionRevoked);
            default:
                return ApplicationTokenResult.Fail(TokenError.SessionRevoked);
        }
        if (profile.Type != UserTypes.Application) return ApplicationTokenResult.Fail(TokenError.NotApplicationUser);
        if (Sessions.ActiveApplicationTokens(now) >= tenant.Settings.MaxApplicationTokensPerUser)
            return ApplicationTokenResult.Fail(TokenError.TooManyApplicationTokens);

        var app = Sessions.OpenApplication(name, now);
        await WriteAsync();

        var token = minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.AccessType, app.Id, profile.Username, now.ToUnixTimeSeconds(), null, profile.Id, app.Id));
        SessionMetrics.SessionOpened(app.Kind);
        await RecordAsync(SecurityEventNames.ApplicationTokenCreated, $"session {app.Id}");
        return new ApplicationTokenResult(TokenError.None, token, app.Id, app.Name);
    }

    public async Task<PasswordChangeResult> CompletePasswordChange(Guid permitId, bool passwordMatched, string newPasswordHash, string keepSessionId)
    {
        if (!_permits.Remove(permitId, out var permit))
            return passwordMatched
                ? new PasswordChangeResult(PasswordChangeError.PermitLost, "Retry")
                : new PasswordChangeResult(PasswordChangeError.WrongPassword, "Current password is incorrect");
        if (Refusal(permit, passwordMatched) is { } refusal)
        {
            await RecordAsync(SecurityEventNames.LoginFailed, $"password change: {refusal}", permit.Address);
            return new PasswordChangeResult(PasswordChangeError.WrongPassword, "Current password is incorrect");
        }
        _throttle.Succeeded(permit.Address);

        state.State.PasswordHash = newPasswordHash;
        CredentialChanged();
        var revoked = Sessions.RevokeAll(RevocationReasons.PasswordChanged, Now(), keep: keepSessionId);
        await WriteAsync();
        await RecordAsync(SecurityEventNames.PasswordChanged, $"{revoked.Count} other sessions revoked");
        await RecordRevocationsAsync(revoked);
        return new PasswordChangeResult(PasswordChangeError.None, null);
    }

    public Task<IReadOnlyList<SessionInfo>> ListSessions()
    {
        IReadOnlyList<SessionInfo> sessions = Profile is null
            ? []
            : Sessions.Active(time.GetUtcNow())
                .Select(s => new SessionInfo(s.Id, s.Kind, s.Name, s.CreatedAt, s.LastUsedAt, s.ExpiresAt))
                .ToList();
        return Task.FromResult(sessions);
    }

    public async Task<bool> RevokeSession(string sessionId, string reason)
    {
        var now = Now();
        if (Sessions.Find(sessionId) is not { } session || !session.IsActive(now)) return false;
        session.Revoke(reason, now);
        await WriteAsync();
        await RecordRevocationsAsync([session]);
        return true;
    }

    public async Task<int> RevokeAllSessions(string reason)
    {
        var revoked = Sessions.RevokeAll(reason, Now());
        if (revoked.Count == 0) return 0;
        await WriteAsync();
        await RecordRevocationsAsync(revoked);
        return revoked.Count;
    }

    public Task<SessionCheck> CheckSession(string sessionId)
    {
        var now = time.GetUtcNow();
        var session = Sessions.Find(sessionId);
        var profile = Profile;
        var active = session?.IsActive(now) ?? false;
        if (active && profile is not null)
        {
            // A use of an access or application token: remembered in memory only.
            session!.LastUsedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
            _lastUsedDirty = true;
        }
        return Task.FromResult(new SessionCheck(profile?.IsActive ?? false, active, session?.Kind, profile?.IsAdmin ?? false, session?.RefreshJti, session?.ClientId, profile?.Username));
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ReportActiveSessions();
        return base.OnActivateAsync(cancellationToken);
    }

    /// <summary>Keeps the silo's active-session gauge equal to what the activations in memory hold.</summary>
    private void ReportActiveSessions(bool deactivating = false)
    {
        var active = deactivating ? 0 : Sessions.Active(time.GetUtcNow()).Count();
        SessionMetrics.ActiveChanged(active - _reportedActive);
        _reportedActive = active;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReportActiveSessions(deactivating: true);
        if (_directoryStale) await SyncDirectoryAsync();
        if (_lastUsedDirty && !_writeFailed && Profile is not null)
        {
            try
            {
                await state.StampAndWriteAsync();
            }
            catch (Exception ex)
            {
                // Only lastUsedAt would be lost; a stale activation must not win anything.
                LogLastUsedNotStored(logger, ex, Tenant, UserId);
            }
        }
    }

    /// <summary>
    /// Why the second half of a login must fail; null when it may open a session. The password was
    /// checked against the credential of the permit: if the password, the status or the type has
    /// changed since, that check no longer speaks for the user (an admin's reset must stop a login
    /// already past its hash), and the answer is the same as for a wrong password.
    /// </summary>
    private string? Refusal(PendingLogin permit, bool passwordMatched)
    {
        if (!passwordMatched) return "wrong password";
        if (permit.CredentialVersion != state.State.CredentialVersion) return "the password, status or type changed during the login";
        return Profile is { IsActive: true } ? null : "user not active";
    }

    /// <summary>The one way the password, status or type changes: no login checked before it completes after it.</summary>
    private void CredentialChanged() => state.State.CredentialVersion++;

    private readonly record struct PendingLogin(DateTimeOffset Issued, string Address, int CredentialVersion);

    /// <summary>What an admin changed, by field name: never a value of a secret.</summary>
    private static string Describe(UserProfile before, UserProfile after, bool passwordSet)
    {
        var changed = new List<string>();
        if (before.Username != after.Username) changed.Add("username");
        if (before.Email != after.Email) changed.Add("email");
        if (before.Type != after.Type) changed.Add("type");
        if (before.Status != after.Status) changed.Add($"status {before.Status}->{after.Status}");
        if (before.IsAdmin != after.IsAdmin) changed.Add($"isAdmin {after.IsAdmin}");
        if (before.Language != after.Language) changed.Add("language");
        if (before.TimeZone != after.TimeZone) changed.Add("timeZone");
        if (passwordSet) changed.Add("password set by an admin");
        return changed.Count == 0 ? "nothing changed" : string.Join(", ", changed);
    }

    private async Task RevokeForReuseAsync(Session session, DateTimeOffset now)
    {
        session.Revoke(RevocationReasons.RefreshTokenReuse, now);
        await WriteAsync();
        SessionMetrics.ReuseDetected();
        SessionMetrics.SessionRevoked(session.Kind, RevocationReasons.RefreshTokenReuse);
        await RecordAsync(SecurityEventNames.RefreshReuseDetected, $"session {session.Id} revoked: a spent refresh token was presented");
    }

    /// <summary>Stores the state, pruned first, so state stays bounded.</summary>
    private async Task WriteAsync()
    {
        Sessions.Prune(Now());
        try
        {
            await state.WriteOrDeactivateAsync(this);
        }
        catch
        {
            _writeFailed = true;
            throw;
        }
        _lastUsedDirty = false;
        ReportActiveSessions();
    }

    private static DateTimeOffset AccessExpiry(TenantInfo tenant, Session session, DateTimeOffset now)
    {
        var expiry = now.AddSeconds(tenant.Settings.AccessTokenLifetimeSeconds);
        return session.ExpiresAt is { } sessionEnd && sessionEnd < expiry ? sessionEnd : expiry;
    }

    private IssuedToken MintAccess(TenantInfo tenant, UserProfile profile, Session session, DateTimeOffset now) =>
        MintAccess(tenant, profile, session, new AccessAnswer(Guid.NewGuid().ToString(), now.ToUnixTimeSeconds(), AccessExpiry(tenant, session, now).ToUnixTimeSeconds()));

    private IssuedToken MintAccess(TenantInfo tenant, UserProfile profile, Session session, AccessAnswer answer)
    {
        var token = minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.AccessType, answer.Jti, profile.Username, answer.IssuedAt, answer.ExpiresAt, profile.Id, session.Id));
        return new IssuedToken(token, DateTimeOffset.FromUnixTimeSeconds(answer.ExpiresAt));
    }

    private IssuedToken MintRefresh(TenantInfo tenant, UserProfile profile, Session session) =>
        new(minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.RefreshType, session.RefreshJti!, profile.Username, session.RefreshIssuedAt,
            session.ExpiresAt!.Value.ToUnixTimeSeconds(), profile.Id, session.Id)), session.ExpiresAt);

    private async Task RecordRevocationsAsync(IReadOnlyList<Session> revoked)
    {
        foreach (var session in revoked)
        {
            SessionMetrics.SessionRevoked(session.Kind, session.RevokedReason);
            var name = session.Kind == SessionKinds.Application ? SecurityEventNames.ApplicationTokenRevoked : SecurityEventNames.SessionRevoked;
            await RecordAsync(name, $"session {session.Id}: {session.RevokedReason}");
        }
    }

    private Task RecordAsync(string name, string detail, string? address = null) =>
        securityEvents.RecordAsync(new SecurityEvent(Tenant, UserId, name, detail, time.GetUtcNow(), address));

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "User directory update failed for user {UserId} of tenant {Tenant}; it will be retried")]
    private static partial void LogDirectoryFailed(ILogger logger, Exception exception, string tenant, int userId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Last-use times of user {UserId} of tenant {Tenant} were not stored at deactivation")]
    private static partial void LogLastUsedNotStored(ILogger logger, Exception exception, string tenant, int userId);
}
