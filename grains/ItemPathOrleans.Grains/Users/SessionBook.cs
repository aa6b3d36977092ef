using System.Buffers.Text;
using System.Security.Cryptography;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// The rules over a user's sessions, as a plain class the user grain calls: opening sessions
/// within the tenant's caps, pruning what has ended, revoking.
/// </summary>
public sealed class SessionBook(Dictionary<string, Session> sessions)
{
    public Session? Find(string sessionId) => sessions.GetValueOrDefault(sessionId);

    /// <summary>
    /// Opens a login (or SSO) session. Past <paramref name="maxSessions"/> active login sessions
    /// the oldest is revoked, so a user's state never grows without bound.
    /// </summary>
    public Session OpenLogin(string kind, DateTimeOffset now, TimeSpan lifetime, int maxSessions)
    {
        Prune(now);
        var active = sessions.Values
            .Where(s => s.Kind != SessionKinds.Application && s.IsActive(now))
            .OrderBy(s => s.CreatedAt)
            .ToList();
        for (var i = 0; i <= active.Count - maxSessions; i++)
        {
            sessions.Remove(active[i].Id);
        }

        var session = new Session
        {
            Id = NewId(),
            Kind = kind,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            RefreshJti = Guid.NewGuid().ToString(),
            RefreshIssuedAt = now.ToUnixTimeSeconds(),
        };
        sessions[session.Id] = session;
        return session;
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

    /// <summary>Ends every session (password set by an admin, deactivation, deletion).</summary>
    public int RevokeAll()
    {
        var count = sessions.Count;
        sessions.Clear();
        return count;
    }

    /// <summary>Drops sessions that are expired or revoked: a missing session is a revoked one.</summary>
    public void Prune(DateTimeOffset now)
    {
        foreach (var (id, session) in sessions)
        {
            if (!session.IsActive(now)) sessions.Remove(id);
        }
    }

    /// <summary>Opaque, unguessable session ids (128 bits, base64url).</summary>
    public static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
