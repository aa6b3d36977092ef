using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Users;

/// <summary>How a presented refresh token stands against its session.</summary>
public enum RefreshPresentation
{
    /// <summary>The session's current refresh token.</summary>
    Current,
    /// <summary>The immediately previous token, inside the grace window, its successor never presented: replay the same answer.</summary>
    Replay,
    /// <summary>A spent token: someone holds a copy. The session must be revoked.</summary>
    Reuse,
    Revoked,
    Expired,
}

/// <summary>The access token a rotation answered with, kept so a replay re-signs the same bytes.</summary>
[GenerateSerializer, Immutable]
public sealed record AccessAnswer(
    [property: Id(0)] string Jti,
    [property: Id(1)] long IssuedAt,
    [property: Id(2)] long ExpiresAt);

/// <summary>
/// One session: a refresh-token family opened by a login (or single sign-on), or an application
/// token. Its absolute expiry is fixed at creation; a refresh never extends it. With rotation,
/// each refresh spends the current token and makes the next one; the immediately previous token
/// may be replayed for a short grace window (a client that lost a response retries), and any
/// other spent token means a copy is in someone else's hands.
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
    /// <summary>Kept in memory on every use, stored with the next write (it may lag).</summary>
    [Id(9)] public DateTimeOffset? LastUsedAt { get; set; }
    /// <summary>The refresh token the last rotation spent.</summary>
    [Id(10)] public string? PreviousRefreshJti { get; set; }
    [Id(11)] public DateTimeOffset? PreviousRotatedAt { get; set; }
    /// <summary>Whether the current token was presented since the last rotation: the previous one then replays no more.</summary>
    [Id(12)] public bool SuccessorPresented { get; set; }
    /// <summary>The access token the last rotation answered with.</summary>
    [Id(13)] public AccessAnswer? RotationAnswer { get; set; }
    [Id(14)] public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>The OAuth <c>client_id</c> or other label of who opened it, if any.</summary>
    [Id(15)] public string? ClientId { get; set; }
    /// <summary>The scopes granted to the client (kind <c>oidc</c>), space-separated; its access tokens carry them.</summary>
    [Id(16)] public string? Scope { get; set; }
    /// <summary>Whether every refresh rotates whatever the tenant's setting (public clients, RFC 9700 §4.14.2).</summary>
    [Id(17)] public bool AlwaysRotate { get; set; }
    /// <summary>The browser session (kind <c>web</c>) a client session was opened through: signing out ends both.</summary>
    [Id(18)] public string? BrowserSessionId { get; set; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expiry && expiry <= now;

    public bool IsActive(DateTimeOffset now) => !Revoked && !IsExpired(now);

    /// <summary>
    /// Classifies a presented refresh token <c>jti</c>. Presenting the current token ends the
    /// previous token's grace.
    /// </summary>
    public RefreshPresentation Present(string jti, DateTimeOffset now, TimeSpan grace)
    {
        if (Revoked) return RefreshPresentation.Revoked;
        if (IsExpired(now)) return RefreshPresentation.Expired;
        // Neither an application token nor a browser session has a refresh token anyone holds.
        if (Kind is SessionKinds.Application or SessionKinds.Web) return RefreshPresentation.Reuse;
        if (jti == RefreshJti)
        {
            if (PreviousRefreshJti is not null) SuccessorPresented = true;
            return RefreshPresentation.Current;
        }
        if (jti == PreviousRefreshJti && !SuccessorPresented && PreviousRotatedAt is { } rotated && now - rotated <= grace)
            return RefreshPresentation.Replay;
        return RefreshPresentation.Reuse;
    }

    /// <summary>Spends the current refresh token: the next one is <paramref name="nextJti"/>, issued now.</summary>
    public void Rotate(string nextJti, DateTimeOffset now, AccessAnswer answer)
    {
        PreviousRefreshJti = RefreshJti;
        PreviousRotatedAt = now;
        SuccessorPresented = false;
        RefreshJti = nextJti;
        RefreshIssuedAt = now.ToUnixTimeSeconds();
        RotationAnswer = answer;
    }

    public void Revoke(string reason, DateTimeOffset now)
    {
        if (Revoked) return;
        Revoked = true;
        RevokedReason = reason;
        RevokedAt = now;
    }
}
