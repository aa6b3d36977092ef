using System.Text.RegularExpressions;

namespace ItemPathOrleans.Contracts.Model;

/// <summary>The words of client registrations (RFC 7591 names): types, grant types, authentication methods.</summary>
public static partial class ClientVocabulary
{
    public const string Confidential = "confidential";
    public const string Public = "public";

    public const string ClientCredentials = "client_credentials";
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public const string Password = "password";

    public const string SecretBasic = "client_secret_basic";
    public const string SecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";
    public const string None = "none";

    public static IReadOnlyList<string> Types { get; } = [Confidential, Public];
    public static IReadOnlyList<string> GrantTypes { get; } = [ClientCredentials, AuthorizationCode, RefreshToken, Password];
    public static IReadOnlyList<string> AuthMethods { get; } = [None, SecretBasic, SecretPost, PrivateKeyJwt];

    /// <summary>The JWS algorithms a <c>private_key_jwt</c> assertion may be signed with.</summary>
    public static IReadOnlyList<string> AssertionAlgorithms { get; } = ["RS256", "PS256", "ES256"];

    public static bool UsesSecret(string method) => method is SecretBasic or SecretPost;

    /// <summary>A client id as the contract allows it (so it can name a grain: no '/').</summary>
    public static bool IsClientId(string? id) => id is not null && ClientIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9._~-]{1,128}$")]
    private static partial Regex ClientIdPattern();
}
