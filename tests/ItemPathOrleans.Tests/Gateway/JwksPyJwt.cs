using System.Text.Json;
using ItemPathOrleans.Tests.Interop;

namespace ItemPathOrleans.Tests.Gateway;

/// <summary>
/// Debian's PyJWT (/usr/bin/python3, packages python3-jwt and python3-cryptography) verifies a
/// token with nothing but a JWKS document, requiring ES256, the audience and the issuer: an
/// independent resource server.
/// </summary>
public static class JwksPyJwt
{
    private const string Script = """
        import json, sys
        try:
            import jwt
            from jwt import PyJWK
            import cryptography
        except ImportError as e:
            print(json.dumps({"importError": str(e)}))
            sys.exit(3)
        req = json.load(sys.stdin)
        token = req["token"]
        header = jwt.get_unverified_header(token)
        out = {"kid": header.get("kid"), "alg": header.get("alg"), "claims": None, "error": None}
        match = [k for k in req["jwks"]["keys"] if k.get("kid") == header.get("kid")]
        if not match:
            out["error"] = "NoKey: no key with this kid in the JWKS"
        else:
            try:
                out["claims"] = jwt.decode(
                    token, PyJWK(match[0]).key, algorithms=["ES256"],
                    audience=req["audience"], issuer=req["issuer"],
                    options={"require": ["iat", "nbf", "jti", "iss", "aud"]})
            except jwt.PyJWTError as e:
                out["error"] = type(e).__name__ + ": " + str(e)
        print(json.dumps(out))
        """;

    public sealed record Result(string? Kid, string? Alg, JsonElement Claims, string? Error);

    public static async Task<Result> VerifyAsync(string token, string jwks, string issuer, string audience = "itempath-api")
    {
        var answer = await DebianPython.RunAsync(Script,
            new { token, jwks = JsonDocument.Parse(jwks).RootElement, issuer, audience }, "python3-jwt python3-cryptography");
        var error = answer.GetProperty("error");
        return new Result(answer.GetProperty("kid").GetString(), answer.GetProperty("alg").GetString(), answer.GetProperty("claims").Clone(),
            error.ValueKind == JsonValueKind.Null ? null : error.GetString());
    }
}
