namespace ItemPathOrleans.Contracts.Tokens;

/// <summary>Claim names and values of the tokens this cluster issues.</summary>
public static class TokenClaims
{
    public const string Fresh = "fresh";
    public const string IssuedAt = "iat";
    public const string Id = "jti";
    public const string Type = "type";
    public const string Identity = "identity";
    public const string NotBefore = "nbf";
    public const string Expires = "exp";
    public const string Tenant = "tid";
    public const string UserId = "uid";
    public const string SessionId = "sid";
    public const string Issuer = "iss";
    public const string Audience = "aud";
    public const string Subject = "sub";

    /// <summary>RFC 9068: the client a client token was issued to, and its scopes (space-separated).</summary>
    public const string ClientId = "client_id";
    public const string Scope = "scope";

    /// <summary>The JOSE <c>typ</c> of user tokens, and of client tokens (RFC 9068): never mixed (RFC 8725 §3.11).</summary>
    public const string UserTokenTyp = "JWT";
    public const string ClientTokenTyp = "at+jwt";

    public const string AccessType = "access";
    public const string RefreshType = "refresh";

    /// <summary>Largest skew allowed between clocks when checking iat, nbf and exp.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
}
