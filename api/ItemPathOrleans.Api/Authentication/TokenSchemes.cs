using System.Security.Claims;
using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Contracts.Tokens;
using Microsoft.AspNetCore.Authorization;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// Two JwtBearer schemes with the same validation: one accepts only access tokens (and
/// application tokens), the other only refresh tokens. A refresh token never authenticates a
/// resource call; an access token never refreshes. A registered client's token (<c>typ</c>
/// <c>at+jwt</c>) authenticates on each as what it is, <see cref="ClientKind"/>, and every user
/// policy refuses it (403 <c>User token required</c>).
/// </summary>
public static class TokenSchemes
{
    public const string Access = "access";
    /// <summary>
    /// Refresh tokens. Their session is not checked before the endpoint: each endpoint on this
    /// scheme makes one user grain call that decides the session's and the user's state itself.
    /// </summary>
    public const string Refresh = "refresh";
    /// <summary>Either kind (logout takes the access or the refresh token of the session it ends).</summary>
    public const string Any = "any";

    /// <summary>Authorization policy names.</summary>
    public const string AccessPolicy = "access-token";
    public const string RefreshPolicy = "refresh-token";
    public const string AnyTokenPolicy = "any-token";
    public const string AdminPolicy = "admin";
    /// <summary>
    /// Any bearer of an access token: a user's (access or application) or a registered client's
    /// (<c>client_credentials</c>). Only <c>GET /api/auth/verify</c> and the gateway's routes take
    /// client tokens; every other policy requires a user token.
    /// </summary>
    public const string BearerPolicy = "bearer";

    /// <summary>
    /// The scheme of the policy of the request's endpoint when it is not the access scheme: the
    /// refresh scheme for the endpoints that take a refresh token, the either-token scheme for
    /// logout; null for every other request (the access scheme authenticates it itself).
    /// </summary>
    public static string? OwnSchemeOf(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint) return null;
        foreach (var authorize in endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>())
        {
            switch (authorize.Policy)
            {
                case RefreshPolicy: return Refresh;
                case AnyTokenPolicy: return Any;
            }
        }
        return null;
    }

    /// <summary>Claim added after validation: whose token it is, <see cref="UserKind"/> or <see cref="ClientKind"/>.</summary>
    public const string TokenKindClaim = "itempath:token-kind";
    public const string UserKind = "user";
    public const string ClientKind = "client";

    /// <summary>Claim added after the revocation check for admins of the token's tenant.</summary>
    public const string AdminClaim = "itempath:admin";

    /// <summary>Claim added after the revocation check: the session's kind (login, sso, application).</summary>
    public const string SessionKindClaim = "itempath:session-kind";

    /// <summary>
    /// Claim added after the revocation check: the user's username now. The token's own
    /// <c>identity</c> is the name at issue time, which a rename makes stale (and another user may take).
    /// </summary>
    public const string UsernameClaim = "itempath:username";
}
