using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// One user of one tenant (key: <c>tenant/id</c>): profile, password hash, sessions and
/// application tokens. The single writer that makes refresh and revocation race-free.
/// </summary>
public interface IUserGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<UserProfile?> GetProfile();

    /// <summary>Stores a new user; the id and the names must already be reserved.</summary>
    Task<UserChangeResult> Create(UserProfile profile, string? passwordHash);

    /// <summary>Applies a change; usernames and emails must already be reserved by the caller.</summary>
    Task<UserChangeResult> Update(UserChanges changes, string? newPasswordHash);

    /// <summary>Deletes the user and revokes every session; the answer carries the deleted profile.</summary>
    Task<UserChangeResult> Delete();

    /// <summary>
    /// First half of a login: checks and counts the attempt against the lockout of this user and
    /// client address, before any hash runs, and hands back the stored hash. The hash is verified
    /// outside the grain so the grain never waits on it.
    /// </summary>
    Task<LoginPermit> BeginLogin(string clientAddress);

    /// <summary>
    /// Second half of a login: opens a session when the password matched. <paramref name="clientId"/>
    /// (an OAuth <c>client_id</c>) is recorded on the session. Like every call that reads tenant
    /// settings, it applies those of the version the request carries (<c>SeenTenantVersion</c>) or newer.
    /// </summary>
    /// <param name="kind">The session kind to open: a login, or a browser session of the sign-in page (<see cref="SessionKinds.Web"/>).</param>
    Task<LoginResult> CompleteLogin(Guid permitId, bool passwordMatched, string? rehashedPassword, string? clientId = null, string kind = SessionKinds.Login);

    /// <summary>
    /// A refresh: with rotation on, spends the presented token and answers the next; the
    /// previous token within the grace window replays the same answer; any other spent token
    /// revokes the whole session. It decides the session's and the user's state itself (revoked,
    /// expired, inactive), so the API asks nothing else before it.
    /// </summary>
    /// <param name="clientId">
    /// The OAuth client that presents the token, if any: a session a client got through the
    /// authorization code flow refreshes for that client only (<see cref="TokenError.WrongClient"/>).
    /// </param>
    Task<RefreshResult> Refresh(string sessionId, string refreshJti, string? clientId = null);

    /// <summary>
    /// Opens the session of a redeemed authorization code (kind <see cref="SessionKinds.OpenId"/>)
    /// while the user is active and the browser session it came from is too, and answers its
    /// tokens: access (RFC 9068 claims added), refresh (when asked) and ID token (with <c>openid</c>).
    /// </summary>
    Task<ClientSessionResult> OpenClientSession(ClientSessionRequest request);

    /// <summary>
    /// Ends a browser session (sign-out): the <see cref="SessionKinds.Web"/> session and every
    /// client session opened through it. Answers how many sessions ended.
    /// </summary>
    Task<int> EndBrowserSession(string browserSessionId, string reason);

    /// <summary>
    /// The user signed in again on the same browser (<c>prompt=login</c>, <c>max_age</c>): the client
    /// sessions opened through browser session <paramref name="from"/> now belong to <paramref name="to"/>,
    /// and <paramref name="from"/> ends, so that one sign-out still ends them all.
    /// </summary>
    Task MoveBrowserSession(string from, string to);

    /// <summary>Whether the user has consented to <paramref name="clientId"/> for every scope in <paramref name="scope"/>.</summary>
    [ReadOnly]
    Task<bool> HasConsent(string clientId, string scope);

    /// <summary>Records the user's consent to <paramref name="clientId"/> for the scopes in <paramref name="scope"/> (added to earlier ones).</summary>
    Task GrantConsent(string clientId, string scope);

    /// <summary>
    /// A non-expiring application token, opened as a session of kind application, for the holder of
    /// the session's current refresh token; like <see cref="Refresh"/>, it decides the session's and
    /// the user's state itself.
    /// </summary>
    Task<ApplicationTokenResult> CreateApplicationToken(string sessionId, string refreshJti, string? name);

    /// <summary>Second half of a password change by the user: keeps <paramref name="keepSessionId"/>, revokes every other session.</summary>
    Task<PasswordChangeResult> CompletePasswordChange(Guid permitId, bool passwordMatched, string newPasswordHash, string keepSessionId);

    /// <summary>The user's active sessions and application tokens.</summary>
    [ReadOnly]
    Task<IReadOnlyList<SessionInfo>> ListSessions();

    /// <summary>Revokes one session; false when the user has no such active session.</summary>
    Task<bool> RevokeSession(string sessionId, string reason);

    /// <summary>
    /// The break-glass reset (see <see cref="IUserRegistryGrain.ResetAdminPassword"/>): refused
    /// (NotFound, Invalid) unless the user is an active admin.
    /// </summary>
    Task<UserChangeResult> ResetAdminPassword(string newPasswordHash);

    /// <summary>Revokes every session and application token; answers how many.</summary>
    Task<int> RevokeAllSessions(string reason);

    /// <summary>The revocation check: may interleave, it writes nothing.</summary>
    [ReadOnly, AlwaysInterleave]
    Task<SessionCheck> CheckSession(string sessionId);
}

[GenerateSerializer, Immutable]
public sealed record LoginPermit(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] Guid PermitId,
    [property: Id(2)] string? PasswordHash,
    [property: Id(3)] int RetryAfterSeconds = 0)
{
    public bool Locked => RetryAfterSeconds > 0;

    public override string ToString() => $"LoginPermit {{ Allowed = {Allowed}, PasswordHash = [redacted], RetryAfterSeconds = {RetryAfterSeconds} }}";
}
