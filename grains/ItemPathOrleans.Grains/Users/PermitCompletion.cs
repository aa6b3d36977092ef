namespace ItemPathOrleans.Grains.Users;

/// <summary>
/// How the second half of a login stands (<see cref="Credentials.Complete"/>): accepted, refused
/// (with the client address it counted against and why, for the security event), or lost: the
/// permit is unknown here after a matched password, because the grain's activation moved between
/// the halves, and the caller starts again once.
/// </summary>
public readonly record struct PermitCompletion(bool IsAccepted, bool IsLost, string? Address, string? Refusal)
{
    public static PermitCompletion Lost { get; } = new(false, true, null, null);

    /// <summary>An unknown permit after a wrong password: refused, with nothing to record.</summary>
    public static PermitCompletion Unknown { get; } = new(false, false, null, null);

    public static PermitCompletion Refused(string address, string refusal) => new(false, false, address, refusal);

    public static PermitCompletion Accepted(string address) => new(true, false, address, null);
}
