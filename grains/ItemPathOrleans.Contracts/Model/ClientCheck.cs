using System.Collections.Immutable;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// The revocation check's answer for one client, cached by the API for
/// <c>revocationLatencySeconds</c> like a session's: whether the client is active, the first
/// second its tokens may have been issued at (raised by a disable, a deletion and a
/// re-creation, so none of those ever revives an older token), and the ids of its revoked tokens
/// that have not yet expired.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientCheck(
    [property: Id(0)] bool Active,
    [property: Id(1)] long TokensValidFrom,
    [property: Id(2)] ImmutableHashSet<string> RevokedTokens)
{
    public static ClientCheck Unknown { get; } = new(false, long.MaxValue, []);

    /// <summary>Whether a token of this client with that id and issue time still stands.</summary>
    public bool Accepts(string jti, long issuedAt) => Active && issuedAt >= TokensValidFrom && !RevokedTokens.Contains(jti);
}
