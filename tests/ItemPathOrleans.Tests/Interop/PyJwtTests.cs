using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Interop;

/// <summary>
/// An independent implementation checks the tokens the API hands out: Debian's PyJWT
/// (/usr/bin/python3, package python3-jwt) verifies them with the tenant key derived here from
/// the master secret and the tenant's k1 salt, requiring HS256, the audience and the issuer.
/// Refresh tokens are addressed to the authorization server (the tenant's issuer), every other
/// token to the resource audience.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Interop)]
public class PyJwtTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private const string Audience = "itempath-api";
    private const string Issuer = "http://127.0.0.1:5080/default";
    private const string ExpectedHeader = """{"typ":"JWT","alg":"HS256","kid":"k1"}""";
    private static readonly string[] ClaimOrder =
        ["fresh", "iat", "jti", "type", "identity", "nbf", "exp", "tid", "uid", "sid", "iss", "aud", "sub"];
    private const long AccessLifetime = 900;
    private const long RefreshLifetime = 2_592_000;

    [Fact]
    public async Task Access_token_from_login_verifies_with_PyJWT_and_lives_900_seconds()
    {
        var issued = await IssueAsync();
        var result = await PyJwt.VerifyAsync(issued.Access, issued.Key);
        AssertShape(result, issued, "access", AccessLifetime);
    }

    [Fact]
    public async Task Refresh_token_verifies_with_PyJWT_and_lives_30_days()
    {
        var issued = await IssueAsync();
        var result = await PyJwt.VerifyAsync(issued.Refresh, issued.Key, Issuer);
        AssertShape(result, issued, "refresh", RefreshLifetime);

        // Addressed to the authorization server: a resource server that checks aud refuses it.
        var asResource = await PyJwt.VerifyAsync(issued.Refresh, issued.Key, Audience);
        Assert.StartsWith("InvalidAudienceError", asResource.Error);

        // The login's access token belongs to the same session.
        var access = await PyJwt.VerifyAsync(issued.Access, issued.Key);
        Assert.Equal(Claim(access, "sid").GetString(), Claim(result, "sid").GetString());
    }

    [Fact]
    public async Task Access_token_from_refresh_verifies_with_PyJWT_and_lives_900_seconds()
    {
        var issued = await IssueAsync();
        var result = await PyJwt.VerifyAsync(issued.RefreshedAccess, issued.Key);
        AssertShape(result, issued, "access", AccessLifetime);
    }

    [Fact]
    public async Task Application_token_verifies_with_PyJWT_and_never_expires()
    {
        var issued = await IssueAsync();
        var result = await PyJwt.VerifyAsync(issued.Application, issued.Key);
        AssertShape(result, issued, "access", lifetime: null);

        // Its jti is its session id, and both are the id the API answered.
        Assert.Equal(issued.ApplicationId, Claim(result, "jti").GetString());
        Assert.Equal(issued.ApplicationId, Claim(result, "sid").GetString());
    }

    [Fact]
    public async Task PyJWT_refuses_every_token_under_a_wrong_key()
    {
        var issued = await IssueAsync();
        var wrongKey = (byte[])issued.Key.Clone();
        wrongKey[^1] ^= 0x01;

        foreach (var (name, token, audience) in issued.All)
        {
            var right = await PyJwt.VerifyAsync(token, issued.Key, audience);
            Assert.True(right.Error is null, $"{name}: PyJWT refused it under the right key: {right.Error}");

            var wrong = await PyJwt.VerifyAsync(token, wrongKey, audience);
            Assert.True(wrong.Error is not null, $"{name}: PyJWT accepted it under a wrong key");
            Assert.StartsWith("InvalidSignatureError", wrong.Error);
        }
    }

    private static void AssertShape(PyJwtResult result, Issued issued, string type, long? lifetime)
    {
        Assert.True(result.Error is null, $"PyJWT refused the token: {result.Error}");
        Assert.Equal(ExpectedHeader, result.RawHeader);

        var expectedOrder = lifetime is null ? ClaimOrder.Where(c => c != "exp").ToArray() : ClaimOrder;
        Assert.Equal(expectedOrder, result.PayloadKeys);

        Assert.False(Claim(result, "fresh").GetBoolean());
        Assert.Equal(type, Claim(result, "type").GetString());
        Assert.Equal(issued.Username, Claim(result, "identity").GetString());
        Assert.Equal("default", Claim(result, "tid").GetString());
        Assert.Equal(issued.UserId, Claim(result, "uid").GetInt32());
        Assert.False(string.IsNullOrEmpty(Claim(result, "sid").GetString()));
        Assert.False(string.IsNullOrEmpty(Claim(result, "jti").GetString()));
        Assert.Equal(Issuer, Claim(result, "iss").GetString());
        Assert.Equal(type == "refresh" ? Issuer : Audience, Claim(result, "aud").GetString());
        Assert.Equal(issued.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), Claim(result, "sub").GetString());

        var iat = Claim(result, "iat").GetInt64();
        Assert.Equal(iat, Claim(result, "nbf").GetInt64());
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(iat, now - 300, now + 30);
        if (lifetime is { } seconds) Assert.Equal(seconds, Claim(result, "exp").GetInt64() - iat);
        else Assert.False(result.Claims.TryGetProperty("exp", out _), "the application token carries an exp");
    }

    private static JsonElement Claim(PyJwtResult result, string name) =>
        result.Claims.TryGetProperty(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"claim {name} missing in {result.Claims}");

    private sealed record Issued(
        string Username, int UserId, byte[] Key,
        string Access, string Refresh, string RefreshedAccess, string Application, string ApplicationId)
    {
        public IEnumerable<(string Name, string Token, string Audience)> All =>
            [("access", Access, PyJwtTests.Audience), ("refresh", Refresh, Issuer), ("refreshed access", RefreshedAccess, PyJwtTests.Audience),
             ("application", Application, PyJwtTests.Audience)];
    }

    /// <summary>An application user logs in, refreshes and gets an application token, all through the API.</summary>
    private async Task<Issued> IssueAsync()
    {
        var username = ServiceFixture.UniqueName("pyjwt");
        const string password = "PyJwt-Check-Pass-1";
        var user = await service.CreateUserAsync(username, password, type: "application");
        var login = await service.LoginAsync(username, password);
        var access = login.GetProperty("accessToken").GetString()!;
        var refresh = login.GetProperty("refreshToken").GetString()!;

        using var http = service.ClientWith(refresh);
        using var refreshed = await http.PostAsync("/api/users/refresh", null);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var refreshedAccess = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;

        var empty = new ByteArrayContent([]);
        empty.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var app = await http.PostAsync("/api/users/application-token", empty);
        var appBody = await app.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(app.StatusCode == HttpStatusCode.OK, $"application-token: {(int)app.StatusCode} {appBody}");

        var tenant = await service.Cluster.Client.GetGrain<ITenantGrain>("default").Get()
                     ?? throw new InvalidOperationException("tenant default does not exist");
        var k1 = tenant.Keys.Single(k => k.Kid == "k1");
        Assert.Equal(TestSettings.MasterKeyId, k1.MasterKeyId);
        var key = SigningKeyDerivation.Derive(Convert.FromBase64String(TestSettings.MasterSecret), k1.Salt, "default", "k1");

        return new Issued(username, user.GetProperty("id").GetInt32(), key, access, refresh, refreshedAccess,
            appBody.GetProperty("token").GetString()!, appBody.GetProperty("id").GetString()!);
    }

    private sealed record PyJwtResult(string RawHeader, string[] PayloadKeys, JsonElement Claims, string? Error);

    /// <summary>Runs PyJWT in /usr/bin/python3; token and key go in on stdin, never on the command line.</summary>
    private static class PyJwt
    {
        private const string Script = """
            import base64, json, sys
            try:
                import jwt
            except ImportError as e:
                print(json.dumps({"importError": str(e)}))
                sys.exit(3)
            req = json.load(sys.stdin)
            token = req["token"]
            def b64url(s):
                return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
            header, payload, _ = token.split(".")
            out = {
                "rawHeader": b64url(header).decode("utf-8"),
                "payloadKeys": list(json.loads(b64url(payload)).keys()),
                "claims": None,
                "error": None,
            }
            required = ["iat", "nbf", "jti", "iss", "aud", "sub"] + (["exp"] if "exp" in out["payloadKeys"] else [])
            try:
                out["claims"] = jwt.decode(
                    token, base64.b64decode(req["key"]), algorithms=["HS256"],
                    audience=req["audience"], issuer=req["issuer"], options={"require": required})
            except jwt.PyJWTError as e:
                out["error"] = type(e).__name__ + ": " + str(e)
            print(json.dumps(out))
            """;

        public static async Task<PyJwtResult> VerifyAsync(string token, byte[] key, string audience = Audience)
        {
            var answer = await DebianPython.RunAsync(Script,
                new { token, key = Convert.ToBase64String(key), audience, issuer = Issuer }, "python3-jwt");
            var error = answer.GetProperty("error");
            return new PyJwtResult(
                answer.GetProperty("rawHeader").GetString()!,
                answer.GetProperty("payloadKeys").EnumerateArray().Select(k => k.GetString()!).ToArray(),
                answer.GetProperty("claims").Clone(),
                error.ValueKind == JsonValueKind.Null ? null : error.GetString());
        }
    }
}
