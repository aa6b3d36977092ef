using System.Buffers.Text;
using System.Security.Cryptography;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// The rules over a user's sessions, as a plain class the user grain calls: opening sessions
/// within the tenant's caps, revoking, and pruning what has ended, so a user's state stays
/// bounded however long the user lives.
/// </summary>
public sealed class SessionBook(Dictionary<string, Session> sessions)
{
    /// <summary>How long a revoked session is kept (a later reuse of its tokens is still recognised).</summary>
    public static readonly TimeSpan RevokedRetention = TimeSpan.FromDays(1);

    /// <summary>At most this many revoked sessions are kept, however many were revoked in a day.</summary>
    public const int MaxRevokedKept = 50;

    public Session? Find(string sessionId) => sessions.GetValueOrDefault(sessionId);

    public IEnumerable<Session> Active(DateTimeOffset now) =>
        sessions.Values.Where(s => s.IsActive(now)).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal);

    /// <summary>
    /// Opens a login (or SSO) session. Past <paramref name="maxSessions"/> active login sessions
    /// the oldest ones are revoked; the answer lists them. <paramref name="id"/> is the session's id
    /// when the caller chose it (a code's session), else a new one. <paramref name="keep"/> is never
    /// evicted: the browser session a client's session is opened through.
    /// </summary>
    public (Session Session, IReadOnlyList<Session> Evicted) OpenLogin(string kind, DateTimeOffset now, TimeSpan lifetime, int maxSessions, string? id = null, string? keep = null)
    {
        Prune(now);
        var active = sessions.Values
            .Where(s => s.Kind != SessionKinds.Application && s.IsActive(now))
            .OrderBy(s => s.Id == keep ? 1 : 0)
            .ThenBy(s => s.CreatedAt)
            .ToList();
        var evicted = active.Take(Math.Max(0, active.Count - maxSessions + 1)).ToList();
        foreach (var old in evicted) old.Revoke(RevocationReasons.SessionCap, now);

        var session = new Session
        {
            Id = id ?? NewId(),
            Kind = kind,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            RefreshJti = Guid.NewGuid().ToString(),
            RefreshIssuedAt = now.ToUnixTimeSeconds(),
            LastUsedAt = now,
        };
        sessions[session.Id] = session;
        return (session, evicted);
    }

    public int ActiveApplicationTokens(DateTimeOffset now) =>
        sessions.Values.Count(s => s.Kind == SessionKinds.Application && s.IsActive(now));

    public Session OpenApplication(string? name, DateTimeOffset now)
    {
        Prune(now);
        var session = new Session
        {
            Id = NewId(),
            Kind = SessionKinds.Application,
            Name = name,
            CreatedAt = now,
            ExpiresAt = null,
        };
        sessions[session.Id] = session;
        return session;
    }

    /// <summary>Revokes every active session except <paramref name="keep"/>; answers the revoked ones.</summary>
    public IReadOnlyList<Session> RevokeAll(string reason, DateTimeOffset now, string? keep = null)
    {
        var revoked = sessions.Values.Where(s => s.IsActive(now) && s.Id != keep).ToList();
        foreach (var session in revoked) session.Revoke(reason, now);
        return revoked;
    }

    /// <summary>Revokes every active session of one kind; answers the revoked ones.</summary>
    public IReadOnlyList<Session> RevokeKind(string kind, string reason, DateTimeOffset now)
    {
        var revoked = sessions.Values.Where(s => s.Kind == kind && s.IsActive(now)).ToList();
        foreach (var session in revoked) session.Revoke(reason, now);
        return revoked;
    }

    /// <summary>
    /// Drops expired sessions, and revoked ones past <see cref="RevokedRetention"/> or beyond the
    /// newest <see cref="MaxRevokedKept"/>.
    /// </summary>
    public void Prune(DateTimeOffset now)
    {
        foreach (var (id, session) in sessions)
        {
            if (session.IsExpired(now) || (session.Revoked && now - session.RevokedAt > RevokedRetention))
                sessions.Remove(id);
        }
        var revoked = sessions.Values.Where(s => s.Revoked).OrderByDescending(s => s.RevokedAt).Skip(MaxRevokedKept).ToList();
        foreach (var session in revoked) sessions.Remove(session.Id);
    }

    /// <summary>Opaque, unguessable session ids (128 bits, base64url).</summary>
    public static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
