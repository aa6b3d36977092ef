using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Grains.Tokens;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// The tokens of a login session, as a plain class the user grain calls once the state they
/// depend on is stored: an access token, whose expiry never passes the session's end, and the
/// session's current refresh token, re-signed from its stored <c>jti</c> and <c>iat</c>. A
/// rotation's answer is kept on the session (<see cref="Session.RotationAnswer"/>), so minting it
/// again for a replay gives the same bytes (HS256 is deterministic; see <see cref="TokenMinter"/>).
/// </summary>
public sealed class SessionTokens(TokenMinter minter)
{
    /// <summary>The tenant's access lifetime from <paramref name="now"/>, cut at the session's end.</summary>
    public static DateTimeOffset AccessExpiry(TenantSettings settings, Session session, DateTimeOffset now)
    {
        var expiry = now.AddSeconds(settings.AccessTokenLifetimeSeconds);
        return session.ExpiresAt is { } sessionEnd && sessionEnd < expiry ? sessionEnd : expiry;
    }

    /// <summary>A new access token's identity and times: a fresh <c>jti</c>, issued now.</summary>
    public static AccessAnswer NextAccess(TenantSettings settings, Session session, DateTimeOffset now) =>
        new(Guid.NewGuid().ToString(), now.ToUnixTimeSeconds(), AccessExpiry(settings, session, now).ToUnixTimeSeconds());

    /// <summary>The answer to a login (or single sign-on) that opened <paramref name="session"/>.</summary>
    public LoginResult Opened(TenantInfo tenant, UserProfile profile, Session session, DateTimeOffset now) =>
        new(TokenError.None, Access(tenant, profile, session, NextAccess(tenant.Settings, session, now)), Refresh(tenant, profile, session), profile);

    /// <summary>
    /// The tokens of a client's session just opened by a code (kind <c>oidc</c>): an access token
    /// with the client's id and scopes, and the refresh token when the session has one.
    /// </summary>
    public (IssuedToken Access, IssuedToken? Refresh) OpenedForClient(TenantInfo tenant, UserProfile profile, Session session, DateTimeOffset now) =>
        (Access(tenant, profile, session, NextAccess(tenant.Settings, session, now)), session.RefreshJti is null ? null : Refresh(tenant, profile, session));

    /// <summary>A refresh with rotation off: a new access token, and the client keeps its refresh token.</summary>
    public RefreshResult Unrotated(TenantInfo tenant, UserProfile profile, Session session, DateTimeOffset now) =>
        new(TokenError.None, Access(tenant, profile, session, NextAccess(tenant.Settings, session, now)), null);

    /// <summary>
    /// The answer of the session's last rotation (<see cref="Session.Rotate"/>): the access token
    /// it recorded and the current refresh token; the same bytes each time, so a replay within the
    /// grace window answers exactly what the lost answer said.
    /// </summary>
    public RefreshResult Rotated(TenantInfo tenant, UserProfile profile, Session session) =>
        new(TokenError.None, Access(tenant, profile, session, session.RotationAnswer!), Refresh(tenant, profile, session));

    private IssuedToken Access(TenantInfo tenant, UserProfile profile, Session session, AccessAnswer answer)
    {
        var token = minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.AccessType, answer.Jti, profile.Username, answer.IssuedAt, answer.ExpiresAt, profile.Id, session.Id,
            session.Kind == SessionKinds.OpenId ? session.ClientId : null, session.Scope));
        return new IssuedToken(token, DateTimeOffset.FromUnixTimeSeconds(answer.ExpiresAt));
    }

    private IssuedToken Refresh(TenantInfo tenant, UserProfile profile, Session session) =>
        new(minter.Mint(tenant, new TokenDescriptor(
            TokenClaims.RefreshType, session.RefreshJti!, profile.Username, session.RefreshIssuedAt,
            session.ExpiresAt!.Value.ToUnixTimeSeconds(), profile.Id, session.Id)), session.ExpiresAt);
}
