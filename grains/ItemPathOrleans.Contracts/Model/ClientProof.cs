namespace ItemPathOrleans.Contracts.Model;

/// <summary>
/// How a client authenticated one request (RFC 6749 §2.3, RFC 7523): the method it used, and the
/// secret or the assertion it presented (none for <c>none</c>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientProof(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string Method,
    [property: Id(2)] string? Secret = null,
    [property: Id(3)] string? Assertion = null)
{
    // Orleans logs messages with their ToString at Trace level: never the secret nor the assertion.
    public override string ToString() => $"ClientProof {{ ClientId = {ClientId}, Method = {Method} }}";
}
