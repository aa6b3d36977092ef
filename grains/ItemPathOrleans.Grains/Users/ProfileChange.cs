using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// An admin's change of a user, as a plain class the user grain calls: the profile after it,
/// whether it changes the credential (a login checked before it must then fail), which sessions
/// it ends, and how the security log names it.
/// </summary>
public sealed record ProfileChange(UserProfile Before, UserProfile After, bool PasswordSet)
{
    /// <summary>Applies <paramref name="changes"/>: fields present are changed, others kept.</summary>
    public static ProfileChange Of(UserProfile before, UserChanges changes, bool passwordSet, DateTimeOffset now)
    {
        var type = changes.Type ?? before.Type;
        var after = before with
        {
            Username = changes.Username ?? before.Username,
            Email = changes.EmailPresent ? changes.Email : before.Email,
            Type = type,
            // A type change re-maps the stored status (1 <-> 3) even when no status is sent.
            Status = UserStatus.Normalize(changes.Status ?? before.Status, type),
            IsAdmin = changes.IsAdmin ?? before.IsAdmin,
            Language = changes.Language ?? before.Language,
            TimeZone = changes.TimeZone ?? before.TimeZone,
            UpdatedAt = now,
        };
        return new ProfileChange(before, after, passwordSet);
    }

    /// <summary>A new password, status or type: <see cref="Credentials.Change"/> must follow.</summary>
    public bool ChangesCredential => PasswordSet || Before.Status != After.Status || Before.Type != After.Type;

    public bool LosesActiveAdmin => Before.IsActiveAdmin && !After.IsActiveAdmin;

    public bool GainsActiveAdmin => !Before.IsActiveAdmin && After.IsActiveAdmin;

    /// <summary>
    /// Ends the sessions the change ends, in the same write: a password set by an admin or a
    /// deactivation ends every session; an application user made a plain user loses its
    /// application tokens. Answers the ones it revoked.
    /// </summary>
    public IReadOnlyList<Session> EndSessions(SessionBook sessions, DateTimeOffset now)
    {
        if (PasswordSet) return sessions.RevokeAll(RevocationReasons.PasswordChanged, now);
        if (Before.IsActive && !After.IsActive) return sessions.RevokeAll(RevocationReasons.UserDeactivated, now);
        if (Before.Type == UserTypes.Application && After.Type != UserTypes.Application)
            return sessions.RevokeKind(SessionKinds.Application, RevocationReasons.TypeChanged, now);
        return [];
    }

    /// <summary>What changed, by field name: never a value of a secret.</summary>
    public string Describe()
    {
        var changed = new List<string>();
        if (Before.Username != After.Username) changed.Add("username");
        if (Before.Email != After.Email) changed.Add("email");
        if (Before.Type != After.Type) changed.Add("type");
        if (Before.Status != After.Status) changed.Add($"status {Before.Status}->{After.Status}");
        if (Before.IsAdmin != After.IsAdmin) changed.Add($"isAdmin {After.IsAdmin}");
        if (Before.Language != After.Language) changed.Add("language");
        if (Before.TimeZone != After.TimeZone) changed.Add("timeZone");
        if (PasswordSet) changed.Add("password set by an admin");
        return changed.Count == 0 ? "nothing changed" : string.Join(", ", changed);
    }
}
