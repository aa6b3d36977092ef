using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ItemPathOrleans.ClusterNode.OpenId;

/// <summary>
/// Proof Key for Code Exchange (RFC 7636) with S256 only: the challenge is the base64url SHA-256
/// of the verifier; a verifier is 43 to 128 characters of <c>[A-Za-z0-9-._~]</c>.
/// </summary>
public static class Pkce
{
    public const string S256 = "S256";

    /// <summary>A well-formed S256 challenge: 43 base64url characters (a SHA-256 digest).</summary>
    public static bool IsChallenge(string? challenge) =>
        challenge is { Length: 43 } && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static bool IsVerifier(string? verifier) =>
        verifier is { Length: >= 43 and <= 128 } && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>Whether <paramref name="verifier"/> is the one <paramref name="challenge"/> was made from (constant time).</summary>
    public static bool Verifies(string challenge, string? verifier)
    {
        if (!IsVerifier(verifier)) return false;
        var computed = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier!)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    /// <summary>The S256 challenge of a verifier (for clients and tests).</summary>
    public static string Challenge(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
}
