using ItemPathOrleans.ClusterNode.Lockout;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Directory;
using ItemPathOrleans.Grains.Hosting;
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
    // Logins between their two halves and the failed-login counters: in memory only, bounded.
    private readonly Credentials _credentials = new();
    private readonly SessionTokens _sessionTokens = new(minter);
    private readonly ApplicationTokens _applicationTokens = new(minter);
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
        // A new user has no session: no answer a node holds changes (one about an id not yet
        // created says the session is not active, and still does).
        await WriteUnannouncedAsync();
        await SyncDirectoryAsync();
        if (profile.IsActiveAdmin) await TenantGrain.AddActiveAdmin(profile.Id);
        await RecordAsync(SecurityEventNames.UserCreated, $"type {profile.Type}, status {profile.Status}, admin {profile.IsAdmin}");
        return UserChangeResult.Ok(profile);
    }

    public async Task<UserChangeResult> Update(UserChanges changes, string? newPasswordHash)
    {
        if (Profile is not { } before) return UserChangeResult.Fail(UserChangeError.NotFound, "User not found");
        var change = ProfileChange.Of(before, changes, newPasswordHash is not null, time.GetUtcNow());
        if (change.LosesActiveAdmin && !await TenantGrain.TryRemoveActiveAdmin(before.Id))
            return UserChangeResult.Fail(UserChangeError.LastAdmin, "The last active admin of a tenant cannot be deactivated or demoted");

        state.State.Profile = change.After;
        if (change.ChangesCredential) Credentials.Change(state.State, newPasswordHash);
        var revoked = change.EndSessions(Sessions, Now());
        try
        {
            await WriteAsync();
        }
        catch
        {
            if (change.LosesActiveAdmin) await TenantGrain.AddActiveAdmin(before.Id);
            throw;
        }
        await SyncDirectoryAsync();
        if (change.GainsActiveAdmin) await TenantGrain.AddActiveAdmin(change.After.Id);
        await RecordAsync(SecurityEventNames.UserChanged, change.Describe());
        // The credential's own event too, as for the user's own change: one name to watch for every new password.
        if (change.PasswordSet) await RecordAsync(SecurityEventNames.PasswordChanged, $"set by an admin; {revoked.Count} sessions revoked");
        await RecordRevocationsAsync(revoked);
        return UserChangeResult.Ok(change.After);
    }

    public async Task<UserChangeResult> ResetAdminPassword(string newPasswordHash)
    {
        if (Profile is not { } profile) return UserChangeResult.Fail(UserChangeError.NotFound, "User not found");
        if (!profile.IsActiveAdmin)
            return UserChangeResult.Fail(UserChangeError.Invalid, $"'{profile.Username}' is not an active admin: the break-glass reset is for admins only");

        Credentials.Change(state.State, newPasswordHash);
        var revoked = Sessions.RevokeAll(RevocationReasons.BreakGlass, Now());
        await WriteAsync();
        _credentials.ResetLockout();
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
            await AnnouncedAsync(async () =>
            {
                await state.ClearOrDeactivateAsync(this);
                state.State = new UserState();
            });
        }
        catch
        {
            if (profile.IsActiveAdmin) await TenantGrain.AddActiveAdmin(profile.Id);
            throw;
        }
        await directory.DeleteAsync(profile.Tenant, profile.Id);
        await RecordAsync(SecurityEventNames.UserDeleted, $"username {profile.Username}");
        return UserChangeResult.Ok(profile);
    }

    public async Task<LoginPermit> BeginLogin(string clientAddress)
    {
        if (Profile is null) return Credentials.NoPermit;
        var settings = (await tenants.GetAsync(Tenant)).Settings;
        var address = ClientAddresses.Key(clientAddress);
        var (permit, throttle) = _credentials.Begin(state.State, address, time.GetUtcNow(), settings);
        if (throttle.JustLocked)
        {
            SessionMetrics.LockStarted(knownUser: true);
            await RecordAsync(SecurityEventNames.LockedOut, $"locked for {(int)throttle.RetryAfter.TotalSeconds} s", address);
        }
        if (!throttle.Allowed) DelayDeactivation(throttle.RetryAfter);
        return permit;
    }

    public async Task<LoginResult> CompleteLogin(Guid permitId, bool passwordMatched, string? rehashedPassword, string? clientId = null, string kind = SessionKinds.Login)
    {
        if (kind is not (SessionKinds.Login or SessionKinds.Web)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "A password login opens a login or a browser session.");
        var permit = await RedeemAsync(permitId, passwordMatched, "");
        if (!permit.IsAccepted) return LoginResult.Fail(permit.IsLost ? TokenError.PermitLost : TokenError.BadCredentials);
        if (rehashedPassword is not null) Credentials.Rehash(state.State, rehashedPassword);
        return await OpenSessionAsync(kind, clientId, SecurityEventNames.LoginSucceeded, permit.Address);
    }

    public async Task<RefreshResult> Refresh(string sessionId, string refreshJti, string? clientId = null)
    {
        // A client's session refreshes for that client alone; asked before anything is presented,
        // so someone else's attempt changes nothing.
        if (IsOtherClients(sessionId, clientId)) return RefreshResult.Fail(TokenError.WrongClient);
        var now = Now();
        var (refused, presented) = await PresentAsync(sessionId, refreshJti, now);
        if (presented is not var (how, profile, session, tenant)) return RefreshResult.Fail(refused);
        if (how == RefreshPresentation.Replay) return _sessionTokens.Rotated(tenant, profile, session);

        session.LastUsedAt = now;
        _lastUsedDirty = true;
        if (!tenant.Settings.RefreshTokenRotation && !session.AlwaysRotate) return _sessionTokens.Unrotated(tenant, profile, session, now);

        session.Rotate(Guid.NewGuid().ToString(), now, SessionTokens.NextAccess(tenant.Settings, session, now));
        // A new refresh token: no answer a node keeps is read for it.
        await WriteUnannouncedAsync();
        return _sessionTokens.Rotated(tenant, profile, session);
    }

    public async Task<ApplicationTokenResult> CreateApplicationToken(string sessionId, string refreshJti, string? name)
    {
        // The ItemPath endpoint takes ItemPath sessions' refresh tokens, not a client's.
        if (IsOtherClients(sessionId, clientId: null)) return ApplicationTokenResult.Fail(TokenError.WrongClient);
        var now = Now();
        var (refused, presented) = await PresentAsync(sessionId, refreshJti, now);
        if (presented is not var (how, profile, _, tenant)) return ApplicationTokenResult.Fail(refused);
        // Only the current refresh token opens one: a replay of the previous one is for lost refresh answers.
        if (how != RefreshPresentation.Current) return ApplicationTokenResult.Fail(TokenError.SessionRevoked);

        var (token, notAllowed) = ApplicationTokens.Open(Sessions, profile, name, tenant.Settings, now);
        if (token is null) return ApplicationTokenResult.Fail(notAllowed);
        await WriteUnannouncedAsync();

        SessionMetrics.SessionOpened(token.Kind);
        await RecordAsync(SecurityEventNames.ApplicationTokenCreated, $"session {token.Id}");
        return _applicationTokens.Mint(tenant, profile, token, now);
    }

    public async Task<PasswordChangeResult> CompletePasswordChange(Guid permitId, bool passwordMatched, string newPasswordHash, string keepSessionId)
    {
        var permit = await RedeemAsync(permitId, passwordMatched, "password change: ");
        if (permit.IsLost) return new PasswordChangeResult(PasswordChangeError.PermitLost, "Retry");
        if (!permit.IsAccepted) return new PasswordChangeResult(PasswordChangeError.WrongPassword, "Current password is incorrect");

        Credentials.Change(state.State, newPasswordHash);
        var revoked = Sessions.RevokeAll(RevocationReasons.PasswordChanged, Now(), keep: keepSessionId);
        await WriteAsync();
        await RecordAsync(SecurityEventNames.PasswordChanged, $"{revoked.Count} other sessions revoked");
        await RecordRevocationsAsync(revoked);
        return new PasswordChangeResult(PasswordChangeError.None, null);
    }

    public async Task<ClientSessionResult> OpenClientSession(ClientSessionRequest request)
    {
        if (Profile is not { IsActive: true } profile) return ClientSessionResult.Fail(CodeError.UserInactive);
        var now = Now();
        if (Sessions.Find(request.BrowserSessionId) is not { Kind: SessionKinds.Web } browser || !browser.IsActive(now))
            return ClientSessionResult.Fail(CodeError.UserInactive);
        if (Sessions.Find(request.SessionId) is not null) return ClientSessionResult.Fail(CodeError.InvalidCode);

        var tenant = await tenants.GetAsync(Tenant);
        var settings = tenant.Settings;
        // Without a refresh token the session lives as long as its access token.
        var lifetime = request.IssueRefreshToken ? settings.RefreshTokenLifetimeSeconds : settings.AccessTokenLifetimeSeconds;
        var (session, evicted) = Sessions.OpenLogin(SessionKinds.OpenId, now, TimeSpan.FromSeconds(lifetime), settings.MaxSessionsPerUser,
            request.SessionId, keep: request.BrowserSessionId);
        session.ClientId = request.ClientId;
        session.Scope = request.Scope;
        session.AlwaysRotate = request.AlwaysRotate;
        session.BrowserSessionId = request.BrowserSessionId;
        if (!request.IssueRefreshToken) session.RefreshJti = null;
        await WriteNewSessionAsync(evicted);
        SessionMetrics.SessionOpened(session.Kind);
        await RecordAsync(SecurityEventNames.CodeRedeemed, $"session {session.Id} of client {request.ClientId}");
        await RecordRevocationsAsync(evicted);

        var (access, refresh) = _sessionTokens.OpenedForClient(tenant, profile, session, now);
        return new ClientSessionResult(CodeError.None, access, refresh, await IdTokenAsync(tenant, profile, request, access, now), request.Scope);
    }

    /// <summary>How long an ID token is valid: it is read once, when the client signs the user in.</summary>
    public static readonly TimeSpan IdTokenLifetime = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The ID token of a code's session, with <c>openid</c> only. A key version stored before ID
    /// tokens existed gets its RSA companion from the tenant grain first.
    /// </summary>
    private async Task<IssuedToken?> IdTokenAsync(TenantInfo tenant, UserProfile profile, ClientSessionRequest request, IssuedToken access, DateTimeOffset now)
    {
        var scopes = request.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains("openid")) return null;
        var expires = now + IdTokenLifetime;
        var descriptor = new IdTokenDescriptor(request.ClientId, profile, scopes, now.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds(),
            request.AuthTime.ToUnixTimeSeconds(), request.Nonce, request.BrowserSessionId, access.Token);
        if (tenant.FindKey(tenant.CurrentKid) is not { HasIdTokenKey: true })
        {
            tenant = await TenantGrain.EnsureIdTokenKey();
            tenants.Update(tenant);
        }
        return new IssuedToken(minter.MintIdToken(tenant, descriptor), expires);
    }

    public async Task<int> EndBrowserSession(string browserSessionId, string reason)
    {
        var now = Now();
        if (Sessions.Find(browserSessionId) is not { Kind: SessionKinds.Web }) return 0;
        var ended = state.State.Sessions.Values
            .Where(s => s.IsActive(now) && (s.Id == browserSessionId || s.BrowserSessionId == browserSessionId))
            .ToList();
        if (ended.Count == 0) return 0;
        foreach (var session in ended) session.Revoke(reason, now);
        await WriteAsync();
        await RecordRevocationsAsync(ended);
        return ended.Count;
    }

    public async Task MoveBrowserSession(string from, string to)
    {
        var now = Now();
        if (from == to || Sessions.Find(from) is not { Kind: SessionKinds.Web } old || !old.IsActive(now)
            || Sessions.Find(to) is not { Kind: SessionKinds.Web }) return;
        foreach (var session in state.State.Sessions.Values.Where(s => s.BrowserSessionId == from)) session.BrowserSessionId = to;
        old.Revoke(RevocationReasons.SignedInAgain, now);
        await WriteAsync();
        await RecordRevocationsAsync([old]);
    }

    public Task<bool> HasConsent(string clientId, string scope) =>
        Task.FromResult(state.State.Consents.TryGetValue(clientId, out var given) && Consents.Covers(given.Scope, scope));

    public async Task GrantConsent(string clientId, string scope)
    {
        if (Profile is null) return;
        var consents = state.State.Consents;
        var merged = Consents.Merge(consents.GetValueOrDefault(clientId)?.Scope, scope);
        consents[clientId] = new ConsentGrant(merged, time.GetUtcNow());
        Consents.Bound(consents);
        await WriteAsync();
        await RecordAsync(SecurityEventNames.ConsentGranted, $"client {clientId}: {merged}");
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
        return Task.FromResult(new SessionCheck(profile?.IsActive ?? false, active, session?.Kind, profile?.IsAdmin ?? false, session?.RefreshJti,
            session?.ClientId, profile?.Username, session?.CreatedAt, session?.Scope, profile, session?.ExpiresAt));
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
    /// Redeems a login's permit; a refusal is recorded as a failed login (<paramref name="what"/>
    /// names a password change's).
    /// </summary>
    private async Task<PermitCompletion> RedeemAsync(Guid permitId, bool passwordMatched, string what)
    {
        var permit = _credentials.Complete(state.State, permitId, passwordMatched);
        if (permit.Refusal is { } refusal) await RecordAsync(SecurityEventNames.LoginFailed, what + refusal, permit.Address);
        return permit;
    }

    /// <summary>
    /// Opens a login (or SSO) session within the tenant's caps, stores it, and only then mints its
    /// tokens. Settings come from the tenant cache at the version the request carries, or newer.
    /// </summary>
    private async Task<LoginResult> OpenSessionAsync(string kind, string? clientId, string securityEvent, string? address)
    {
        var profile = Profile!;
        var tenant = await tenants.GetAsync(Tenant);
        var now = Now();
        var (session, evicted) = Sessions.OpenLogin(kind, now,
            TimeSpan.FromSeconds(tenant.Settings.RefreshTokenLifetimeSeconds), tenant.Settings.MaxSessionsPerUser);
        session.ClientId = clientId;
        await WriteNewSessionAsync(evicted);
        SessionMetrics.SessionOpened(session.Kind);
        await RecordAsync(securityEvent, $"session {session.Id}", address);
        await RecordRevocationsAsync(evicted);
        return _sessionTokens.Opened(tenant, profile, session, now);
    }

    /// <summary>
    /// A presented refresh token against its session, with the refusals both of its uses share:
    /// the user inactive, the session unknown, revoked or expired, or a spent token (which revokes
    /// the session, stored before the answer). Otherwise how it stands (current, or a replay) with
    /// the user, the session and the tenant at the request's version.
    /// </summary>
    private async Task<(TokenError Refused, PresentedRefresh? Presented)> PresentAsync(string sessionId, string refreshJti, DateTimeOffset now)
    {
        if (Profile is not { IsActive: true } profile) return (TokenError.UserInactive, null);
        if (Sessions.Find(sessionId) is not { } session) return (TokenError.SessionRevoked, null);

        var tenant = await tenants.GetAsync(Tenant);
        switch (session.Present(refreshJti, now, TimeSpan.FromSeconds(tenant.Settings.RefreshReuseGraceSeconds)))
        {
            case RefreshPresentation.Revoked:
                return (TokenError.SessionRevoked, null);
            case RefreshPresentation.Expired:
                return (TokenError.SessionExpired, null);
            case RefreshPresentation.Reuse:
                await RevokeForReuseAsync(session, now);
                return (TokenError.SessionRevoked, null);
            case var how:
                return (TokenError.None, new PresentedRefresh(how, profile, session, tenant));
        }
    }

    /// <summary>Whether the session is a client's (kind <c>oidc</c>) and <paramref name="clientId"/> is not that client.</summary>
    private bool IsOtherClients(string sessionId, string? clientId) =>
        Sessions.Find(sessionId) is { Kind: SessionKinds.OpenId } session && !string.Equals(session.ClientId, clientId, StringComparison.Ordinal);

    private sealed record PresentedRefresh(RefreshPresentation How, UserProfile Profile, Session Session, TenantInfo Tenant);

    private async Task RevokeForReuseAsync(Session session, DateTimeOffset now)
    {
        session.Revoke(RevocationReasons.RefreshTokenReuse, now);
        await WriteAsync();
        SessionMetrics.ReuseDetected();
        SessionMetrics.SessionRevoked(session.Kind, RevocationReasons.RefreshTokenReuse);
        await RecordAsync(SecurityEventNames.RefreshReuseDetected, $"session {session.Id} revoked: a spent refresh token was presented");
    }

    /// <summary>
    /// Stores a change, announced to the nodes that keep this user's sessions' answers: recorded
    /// with the user changes grain before the write and after it (see <see cref="IUserChangesGrain"/>),
    /// so a node keeps an answer past <c>revocationLatencySeconds</c> only while no change of this
    /// user is recorded after it asked. Every write that may change an answer goes through here.
    /// </summary>
    private Task WriteAsync() => AnnouncedAsync(WriteUnannouncedAsync);

    /// <summary>
    /// A session just opened: a node can hold no answer for its id. Announced only when the
    /// session cap ended older sessions.
    /// </summary>
    private Task WriteNewSessionAsync(IReadOnlyList<Session> evicted) => evicted.Count == 0 ? WriteUnannouncedAsync() : WriteAsync();

    /// <summary>
    /// <paramref name="write"/>, between two records of this user with the user changes grain. The
    /// record before is required: if it fails, nothing is stored and the call fails. The one after
    /// runs after the write or after its failure (the activation then holds changes it did not
    /// store, and is dropped): it carries the change to a changes grain reactivated in between, and
    /// its own failure is only logged; nodes then apply the change within
    /// <see cref="IUserChangesGrain.KeepAtMost"/> at worst.
    /// </summary>
    private async Task AnnouncedAsync(Func<Task> write)
    {
        var changes = GrainFactory.GetGrain<IUserChangesGrain>(IUserChangesGrain.Key);
        await changes.Record(Tenant, UserId);
        try
        {
            await write();
        }
        finally
        {
            try
            {
                await changes.Record(Tenant, UserId);
            }
            catch (Exception ex)
            {
                LogChangeNotRecordedAgain(logger, ex, Tenant, UserId, IUserChangesGrain.KeepAtMost);
            }
        }
    }

    /// <summary>Stores the state, pruned first, so state stays bounded: unannounced, for a write no node's answer depends on.</summary>
    private async Task WriteUnannouncedAsync()
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} of tenant {Tenant}: a change could not be recorded again after its write; nodes apply it within {KeepAtMost} at worst")]
    private static partial void LogChangeNotRecordedAgain(ILogger logger, Exception exception, string tenant, int userId, TimeSpan keepAtMost);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Last-use times of user {UserId} of tenant {Tenant} were not stored at deactivation")]
    private static partial void LogLastUsedNotStored(ILogger logger, Exception exception, string tenant, int userId);
}
