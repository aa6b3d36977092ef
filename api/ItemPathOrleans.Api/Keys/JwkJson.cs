namespace ItemPathOrleans.Api.Keys;

/// <summary>An EC public key (RFC 7518 §6.2.1): never <c>d</c>.</summary>
public sealed record JwkJson(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);
