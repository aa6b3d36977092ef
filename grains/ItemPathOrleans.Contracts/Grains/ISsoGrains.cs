using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// Stateless front of the cluster for single sign-on: the API has validated the ID token; this
/// finds (or links, or provisions) the user of the token's Entra identity and opens a session of
/// kind <c>sso</c>, or the browser session of the sign-in page (kind <c>web</c>, "Sign in with Microsoft").
/// </summary>
public interface ISsoLoginGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Signs in with a validated ID token: <see cref="SsoLoginError.Replayed"/> when <paramref name="use"/>
    /// names a token this identity already used.
    /// </summary>
    /// <param name="clientId">The client whose authorization request the sign-in page serves, recorded on a browser session.</param>
    /// <param name="kind"><see cref="SessionKinds.Sso"/>, or <see cref="SessionKinds.Web"/> for the sign-in page.</param>
    Task<SsoLoginResult> Login(string tenant, SsoIdentity identity, IdTokenUse use, string clientAddress, string? clientId = null, string kind = SessionKinds.Sso);
}

/// <summary>
/// Owns one Entra identity (<c>tid</c>, <c>oid</c>) of a tenant (key: <c>tenant/tid/oid</c>): the
/// single writer that links it to at most one user, so two first sign-ins of one person at once
/// link (or create) one user. The link is stored here and in the user's state. It is also the
/// single writer of the identity's used ID tokens, so that of two uses of one token at once
/// exactly one is accepted, whichever API nodes they came through.
/// </summary>
public interface ISsoLinkGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a use of an ID token of this identity, stored before it answers:
    /// <see cref="SsoLoginError.None"/> the first time (and to the same request again),
    /// <see cref="SsoLoginError.Replayed"/> to any other request, <see cref="SsoLoginError.TooManySignIns"/>
    /// when the identity already holds as many unexpired tokens as it may.
    /// </summary>
    Task<SsoLoginError> Accept(IdTokenUse use);

    /// <summary>
    /// The linked user's id; at a first sign-in, the user whose username or email equals
    /// <paramref name="claimValue"/> and who has no other link, or with
    /// <paramref name="autoProvision"/> a new user; null when there is none.
    /// </summary>
    Task<int?> Resolve(string? claimValue, bool autoProvision);

    /// <summary>Drops the link to <paramref name="userId"/> (the user was deleted).</summary>
    Task Forget(int userId);
}

/// <summary>The single sign-on side of a user grain (same grain, same key as <see cref="IUserGrain"/>).</summary>
public interface IUserSsoGrain : IGrainWithStringKey
{
    /// <summary>
    /// Links the user to an Entra identity. True when the user is now (or already was) linked to
    /// it; false when the user does not exist or is linked to another identity (never replaced).
    /// </summary>
    Task<bool> LinkSso(string entraTenantId, string objectId);

    /// <summary>
    /// Opens a session of kind <paramref name="kind"/> (<c>sso</c>, or <c>web</c> for the sign-in
    /// page) for the linked identity. <see cref="SsoLoginError.NotLinked"/> when the user is gone
    /// or linked to another identity.
    /// </summary>
    Task<SsoLoginResult> CompleteSsoLogin(string entraTenantId, string objectId, string clientAddress, string? clientId = null, string kind = SessionKinds.Sso);
}

/// <summary>Who a validated ID token names: never the token itself.</summary>
[GenerateSerializer, Immutable]
public sealed record SsoIdentity(
    [property: Id(0)] string EntraTenantId,
    [property: Id(1)] string ObjectId,
    [property: Id(2)] string? ClaimValue);

public enum SsoLoginError
{
    None,
    NotConfigured,
    UnknownUser,
    UserInactive,
    /// <summary>Inside the cluster only: the link names a user that is gone or linked elsewhere.</summary>
    NotLinked,
    /// <summary>The ID token was used before.</summary>
    Replayed,
    /// <summary>The identity holds too many unexpired ID tokens already (see <see cref="ISsoLinkGrain.Accept"/>).</summary>
    TooManySignIns,
}

[GenerateSerializer, Immutable]
public sealed record SsoLoginResult(
    [property: Id(0)] SsoLoginError Error,
    [property: Id(1)] LoginResult? Login)
{
    public static SsoLoginResult Fail(SsoLoginError error) => new(error, null);
}

public static class SsoKeys
{
    /// <summary>Key of the grain that owns an Entra identity in a tenant.</summary>
    public static string Link(string tenant, string entraTenantId, string objectId) => $"{tenant}/{entraTenantId}/{objectId}";

    public static (string Tenant, string EntraTenantId, string ObjectId) ParseLink(string key)
    {
        var parts = key.Split('/');
        return (parts[0], parts[1], parts[2]);
    }
}
