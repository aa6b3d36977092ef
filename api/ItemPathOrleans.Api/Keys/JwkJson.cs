using System.Text.Json.Serialization;

namespace ItemPathOrleans.Api.Keys;

/// <summary>
/// A public key (RFC 7517): EC P-256 (<c>crv</c>, <c>x</c>, <c>y</c>; RFC 7518 §6.2.1) or RSA
/// (<c>n</c>, <c>e</c>; §6.3.1), the members of the other type omitted. Never a private member.
/// </summary>
public sealed record JwkJson(
    string Kty,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Crv,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? X,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Y,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? N,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? E,
    string Kid,
    string Use,
    string Alg)
{
    public static JwkJson Ec(string x, string y, string kid, string alg) => new("EC", "P-256", x, y, null, null, kid, "sig", alg);

    public static JwkJson Rsa(string n, string e, string kid, string alg) => new("RSA", null, null, null, n, e, kid, "sig", alg);
}
