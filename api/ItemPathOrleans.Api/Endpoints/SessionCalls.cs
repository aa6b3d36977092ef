using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.ClientAddressing;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.RateLimiting;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Endpoints;

/// <summary>
/// The cluster calls behind both front doors of one session model: the ItemPath endpoints
/// (<c>/api/users/login</c>, <c>refresh</c>, <c>logout</c>) and the standard OAuth 2.0 ones
/// (<c>/oauth/token</c>, <c>/oauth/revoke</c>). Same grains, same limits, same revocation cache.
/// </summary>
public static class SessionCalls
{
    public const int MaxPasswordLength = 1024;

    /// <summary>
    /// The contract's limits of a login's username and password (a 400 naming the limit); null when
    /// within them. A name within the length that breaks the rest of <see cref="UsernameRule"/> is
    /// no user's: the authentication grain answers it as an unknown user's, decoy hash and all.
    /// </summary>
    public static string? CredentialsProblem(string username, string password)
    {
        if (username.Length is 0 or > UsernameRule.MaxLength) return UsernameRule.LengthProblem;
        if (password.Length is 0 or > MaxPasswordLength) return $"password must be 1 to {MaxPasswordLength} characters";
        return null;
    }

    /// <summary>
    /// A password login in the request's tenant, with one failed login of the client address
    /// reserved by the caller (<see cref="FailedLoginLimiter.Reserve"/>). A success gives it back,
    /// and so does a lockout, which checks no password; any other failure keeps it spent.
    /// </summary>
    public static async Task<LoginResult> LoginAsync(HttpContext context, IGrainFactory grains, FailedLoginReservation reservation,
        string username, string password, string? clientId = null, string operation = "Login")
    {
        var tenant = context.Tenant();
        var address = ClientAddress.Of(context);
        var result = await ClusterRetry.RunAsync(() => grains.GetGrain<IAuthenticationGrain>(0)
            .Login(tenant.Id, username, password, tenant.Info.Version, address, clientId));
        var metrics = context.RequestServices.GetRequiredService<AuthMetrics>();
        if (result.Error == TokenError.None) metrics.LoginSucceeded();
        else metrics.LoginFailed(result.Error == TokenError.LockedOut ? AuthMetrics.LoginOutcomes.LockedOut : AuthMetrics.ReasonOf(result.Error), operation);
        if (result.Error is TokenError.None or TokenError.LockedOut) reservation.GiveBack();
        return result;
    }

    /// <summary>A refresh of a validated refresh token's session; a refused one is forgotten by this node's cache at once.</summary>
    public static async Task<RefreshResult> RefreshAsync(HttpContext context, IGrainFactory grains, TokenIdentity token, string operation = "Refresh")
    {
        var result = await ClusterRetry.RunAsync(() => User(grains, token).Refresh(token.SessionId, token.Jti, context.Tenant().Info.Version));
        var metrics = context.RequestServices.GetRequiredService<AuthMetrics>();
        if (result.Error != TokenError.None)
        {
            ForgetSession(context, token, token.SessionId);
            metrics.RefreshFailed(AuthMetrics.ReasonOf(result.Error), operation);
        }
        else
        {
            metrics.RefreshSucceeded(rotated: result.Refresh is not null);
        }
        return result;
    }

    /// <summary>Revokes one session of the token's user; false when it was not active.</summary>
    public static async Task<bool> RevokeAsync(HttpContext context, IGrainFactory grains, TokenIdentity token, string sessionId, string reason)
    {
        var revoked = await User(grains, token).RevokeSession(sessionId, reason);
        ForgetSession(context, token, sessionId);
        return revoked;
    }

    /// <summary>A session ended through this node stops here at once, elsewhere within the latency.</summary>
    private static void ForgetSession(HttpContext context, TokenIdentity token, string sessionId) =>
        context.RequestServices.GetRequiredService<RevocationCache>().Forget(token.Tenant, token.UserId, sessionId);

    public static IUserGrain User(IGrainFactory grains, TokenIdentity token) =>
        grains.GetGrain<IUserGrain>(GrainKeys.User(token.Tenant, token.UserId));
}
