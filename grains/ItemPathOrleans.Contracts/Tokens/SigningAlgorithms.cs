namespace ItemPathOrleans.Contracts.Tokens;

/// <summary>The JWS algorithms a tenant may sign with: one per tenant, one per key version (RFC 8725 §3.1).</summary>
public static class SigningAlgorithms
{
    public const string HS256 = "HS256";
    public const string ES256 = "ES256";

    /// <summary>OpenID Connect ID tokens only, with a version's RSA companion: never a tenant's algorithm.</summary>
    public const string RS256 = "RS256";

    public static bool IsSupported(string? algorithm) => algorithm is HS256 or ES256;
}
