using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Sessions;

/// <summary>
/// The cluster calls behind both front doors of one session model: the ItemPath endpoints
/// (<c>/api/users/login</c>, <c>refresh</c>, <c>logout</c>, …) and the standard OAuth 2.0 ones
/// (<c>/oauth/token</c>, <c>/oauth/revoke</c>). It owns what each call needs around it: the
/// failed-login budget of the client address, retries of the calls that are safe to repeat, the
/// 503 when the cluster does not answer (<see cref="ClusterCalls"/>), the metrics, and this
/// node's revocation cache, which forgets at once what a call here ended.
/// </summary>
public sealed class SessionClient(IGrainFactory grains, FailedLoginLimiter failedLogins, RevocationCache revocations, AuthMetrics metrics)
{
    /// <summary>
    /// A password login in the tenant. One failed login of the client address is reserved before
    /// the password is checked (<see cref="FailedLoginLimiter.Reserve"/>): a success gives it back,
    /// and so does a lockout, which checks no password; any other failure keeps it spent. An
    /// address out of budget is answered as locked out, without a check.
    /// </summary>
    public async Task<LoginResult> LoginAsync(RequestTenant tenant, string clientAddress, string username, string password,
        string? clientId = null, string operation = "Login", string kind = SessionKinds.Login)
    {
        var reservation = failedLogins.Reserve(clientAddress);
        if (reservation.Refusal is { } wait)
        {
            metrics.LoginFailed(AuthMetrics.LoginOutcomes.RateLimited, operation);
            return LoginResult.Locked(wait);
        }
        var result = await ClusterCalls.RepeatableAsync(() =>
            grains.Authentication().Login(tenant.Id, username, password, clientAddress, clientId, kind));
        if (result.Error == TokenError.None) metrics.LoginSucceeded();
        else metrics.LoginFailed(result.Error == TokenError.LockedOut ? AuthMetrics.LoginOutcomes.LockedOut : AuthMetrics.ReasonOf(result.Error), operation);
        if (result.Error is TokenError.None or TokenError.LockedOut) reservation.GiveBack();
        return result;
    }

    /// <summary>
    /// A refresh of a validated refresh token's session, presented by <paramref name="clientId"/>
    /// (an authenticated client, if any); a refused one is forgotten by this node's cache at once.
    /// </summary>
    public async Task<RefreshResult> RefreshAsync(RequestTenant tenant, TokenIdentity token, string operation = "Refresh", string? clientId = null)
    {
        var result = await ClusterCalls.RepeatableAsync(() => User(token).Refresh(token.SessionId, token.Jti, clientId));
        if (result.Error != TokenError.None)
        {
            revocations.Forget(token.Tenant, token.UserId, token.SessionId);
            metrics.RefreshFailed(AuthMetrics.ReasonOf(result.Error), operation);
        }
        else
        {
            metrics.RefreshSucceeded(rotated: result.Refresh is not null);
        }
        return result;
    }

    /// <summary>A non-expiring application token for the refresh token's user (application users only).</summary>
    public async Task<ApplicationTokenResult> CreateApplicationTokenAsync(RequestTenant tenant, TokenIdentity token, string? name)
    {
        var result = await ClusterCalls.OnceAsync(() => User(token).CreateApplicationToken(token.SessionId, token.Jti, name));
        if (result.Error != TokenError.None) metrics.Failed("CreateApplicationToken", AuthMetrics.ReasonOf(result.Error));
        return result;
    }

    /// <summary>Ends one session of the token's user; false when it was not active. It stops here at once, elsewhere within the latency.</summary>
    public async Task<bool> RevokeAsync(TokenIdentity token, string sessionId, string reason)
    {
        var revoked = await ClusterCalls.OnceAsync(() => User(token).RevokeSession(sessionId, reason));
        revocations.Forget(token.Tenant, token.UserId, sessionId);
        return revoked;
    }

    /// <summary>Changes the token's user's password: every other session ends, on this node at once.</summary>
    public async Task<PasswordChangeResult> ChangePasswordAsync(TokenIdentity token, string current, string next, string clientAddress)
    {
        var result = await ClusterCalls.OnceAsync(() =>
            grains.Authentication().ChangePassword(token.Tenant, token.UserId, token.SessionId, current, next, clientAddress));
        if (result.Error == PasswordChangeError.None) revocations.ForgetUser(token.Tenant, token.UserId);
        return result;
    }

    public Task<UserProfile?> ProfileAsync(TokenIdentity token) => ClusterCalls.RepeatableAsync(() => User(token).GetProfile());

    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(TokenIdentity token) => ClusterCalls.RepeatableAsync(() => User(token).ListSessions());

    private IUserGrain User(TokenIdentity token) => grains.User(token.Tenant, token.UserId);
}
