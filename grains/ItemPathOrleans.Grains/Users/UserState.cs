using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;

namespace ItemPathOrleans.Grains.Users;

/// <summary>A user's persisted state: one opaque row per user in grain storage.</summary>
[GenerateSerializer]
public sealed class UserState : IVersionedState
{
    [Id(0)] public UserProfile? Profile { get; set; }
    /// <summary>Argon2id PHC string; null for a user who signs in only through single sign-on.</summary>
    [Id(1)] public string? PasswordHash { get; set; }
    [Id(2)] public Dictionary<string, Session> Sessions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The Entra identity this user signs in with; once set, never replaced by another.</summary>
    [Id(3)] public SsoLink? Sso { get; set; }
    [Id(4)] public int Shape { get; set; }
    /// <summary>
    /// Raised by every change of the password, the status or the type: a login (or password
    /// change) whose password was checked before such a change is refused when it completes.
    /// </summary>
    [Id(5)] public int CredentialVersion { get; set; }
    /// <summary>Scopes the user consented to, per third-party client (<c>requireConsent</c>): asked once.</summary>
    [Id(6)] public Dictionary<string, ConsentGrant> Consents { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A user's consent to one client: the scopes (space-separated) and when it was last given.</summary>
[GenerateSerializer, Immutable]
public sealed record ConsentGrant([property: Id(0)] string Scope, [property: Id(1)] DateTimeOffset GrantedAt);

/// <summary>An Entra identity: the directory (<c>tid</c>) and the person's object id in it (<c>oid</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record SsoLink([property: Id(0)] string EntraTenantId, [property: Id(1)] string ObjectId);
