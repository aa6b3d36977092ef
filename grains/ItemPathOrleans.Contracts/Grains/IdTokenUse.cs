namespace ItemPathOrleans.Contracts.Grains;

/// <summary>
/// One use of a validated ID token, which the cluster remembers so that a second use is refused.
/// Never the token: a SHA-256 of its signed part (header and payload, base64url), which is what
/// makes it this token, however a decoder treats the spelling of its signature.
/// </summary>
/// <param name="IssuedAt">The token's <c>iat</c> (0 when it has none).</param>
/// <param name="Hash">SHA-256 of the signed part, base64url (43 characters).</param>
/// <param name="AcceptedUntil">Unix seconds after which the API refuses the token as expired: its <c>exp</c> plus the allowed skew.</param>
/// <param name="RequestId">
/// The sign-in request this use belongs to, made by the API for each request: the same request
/// delivered again (a call retried after a silo refused to forward it) is not a replay.
/// </param>
[GenerateSerializer, Immutable]
public sealed record IdTokenUse(
    [property: Id(0)] long IssuedAt,
    [property: Id(1)] string Hash,
    [property: Id(2)] long AcceptedUntil,
    [property: Id(3)] Guid RequestId);
