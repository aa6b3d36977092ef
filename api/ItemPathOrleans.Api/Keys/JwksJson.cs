namespace ItemPathOrleans.Api.Keys;

/// <summary>RFC 7517 key set; public members only.</summary>
public sealed record JwksJson(IReadOnlyList<JwkJson> Keys);
