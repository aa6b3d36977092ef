namespace ItemPathOrleans.Grains.Authentication;

/// <summary>How a <see cref="PermitProtocol"/> run ended (see <see cref="PermitRun{T}"/>).</summary>
public enum PermitEnd
{
    Completed,
    Locked,
    NoPassword,
    Failed,
}
