using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// One session: a refresh-token family opened by a login (or single sign-on), or an
/// application token. Its absolute expiry is fixed at creation; a refresh never extends it.
/// </summary>
[GenerateSerializer]
public sealed class Session
{
    [Id(0)] public string Id { get; set; } = "";
    [Id(1)] public string Kind { get; set; } = SessionKinds.Login;
    [Id(2)] public string? Name { get; set; }
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Null for application tokens, which never expire.</summary>
    [Id(4)] public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary>The <c>jti</c> of the refresh token that is currently valid (null for application tokens).</summary>
    [Id(5)] public string? RefreshJti { get; set; }
    /// <summary>The <c>iat</c> of that refresh token, so it can be re-signed byte for byte.</summary>
    [Id(6)] public long RefreshIssuedAt { get; set; }
    [Id(7)] public bool Revoked { get; set; }
    [Id(8)] public string? RevokedReason { get; set; }
    /// <summary>Stored now and then, not on every use (see the user grain).</summary>
    [Id(9)] public DateTimeOffset? LastUsedAt { get; set; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expiry && expiry <= now;

    public bool IsActive(DateTimeOffset now) => !Revoked && !IsExpired(now);
}
