using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Contracts.Tokens;
using ItemPathOrleans.Grains.Tokens;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// Application tokens, as a plain class the user grain calls: who may open one (application users
/// only), how many may be active at once (the tenant's <c>maxApplicationTokensPerUser</c>), and the
/// token itself: an access token without <c>exp</c> whose <c>jti</c> is its own session's id, so
/// revoking that session ends it.
/// </summary>
public sealed class ApplicationTokens(TokenMinter minter)
{
    /// <summary>Opens an application token's session; or says why not (the session is then untouched).</summary>
    public static (Session? Token, TokenError Error) Open(SessionBook sessions, UserProfile profile, string? name, TenantSettings settings, DateTimeOffset now)
    {
        if (profile.Type != UserTypes.Application) return (null, TokenError.NotApplicationUser);
        if (sessions.ActiveApplicationTokens(now) >= settings.MaxApplicationTokensPerUser) return (null, TokenError.TooManyApplicationTokens);
        return (sessions.OpenApplication(name, now), TokenError.None);
    }

    /// <summary>The token of an opened application session, issued now.</summary>
    public ApplicationTokenResult Mint(TenantInfo tenant, UserProfile profile, Session token, DateTimeOffset now) =>
        new(TokenError.None,
            minter.Mint(tenant, new TokenDescriptor(TokenClaims.AccessType, token.Id, profile.Username, now.ToUnixTimeSeconds(), null, profile.Id, token.Id)),
            token.Id, token.Name);
}
