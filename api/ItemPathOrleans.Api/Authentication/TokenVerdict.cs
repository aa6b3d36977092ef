using ItemPathOrleans.Api.Cluster;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.Api.Authentication;

/// <summary>
/// What the contract's rules say of a token: refused (the contract's message), not answerable
/// (the cluster did not answer), or accepted with its session's check (null when checks are off,
/// or left to the endpoint's grain call), or, for a client token, its client's check.
/// </summary>
public sealed record TokenVerdict(string? Refusal, ClusterUnavailableException? Unavailable, SessionCheck? Session, ClientCheck? Client = null)
{
    public bool IsAccepted => Refusal is null && Unavailable is null;

    public static TokenVerdict Refused(string message) => new(message, null, null);

    public static TokenVerdict Accepted(SessionCheck? session) => new(null, null, session);

    public static TokenVerdict AcceptedClient(ClientCheck? client) => new(null, null, null, client);

    public static TokenVerdict NotAnswered(Exception cause) => new(null, new ClusterUnavailableException(cause), null);
}
