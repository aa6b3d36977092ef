using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using ItemPathOrleans.Tests.Security;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// Property tests over the OAuth endpoints with hostile forms: odd, repeated, unknown and
/// oversized parameters, raw bytes, forged tokens, odd content types and Authorization headers.
/// Never a 5xx; every 400, 401, 413 and 431 is an RFC 6749 §5.2 error with a printable-ASCII description;
/// an introspection answer for a forged token is inactive; and nothing changes.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class OAuthFuzzTests(FuzzFixture fx) : IClassFixture<FuzzFixture>
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static readonly string[] Names =
        ["grant_type", "username", "password", "refresh_token", "client_id", "scope", "token", "token_type_hint", "", "grant_type[]", "%zz", "GRANT_TYPE"];

    private static readonly string[] Errors = ["invalid_request", "invalid_grant", "unsupported_grant_type", "invalid_token", "invalid_client", "invalid_scope", "unauthorized_client"];

    private static Gen<string> Value { get; } = Gen.Frequency(
        (3, FuzzText.Odd),
        (3, FuzzTokens.Token(Now)),
        (2, Gen.Elements("password", "refresh_token", "client_credentials", "authorization_code", "", " ", "admin", "access_token")));

    /// <summary>One parameter, percent-encoded as a client would, or put in raw (the server must cope with both).</summary>
    private static Gen<string> Pair { get; } =
        from name in Gen.Frequency((6, Gen.Elements(Names)), (1, FuzzText.Odd))
        from value in Value
        from raw in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from shape in Gen.Elements("pair", "pair", "pair", "name only", "equals only")
        select shape switch
        {
            "name only" => raw ? name : Uri.EscapeDataString(Valid(name)),
            "equals only" => "=" + (raw ? value : Uri.EscapeDataString(Valid(value))),
            _ => raw ? $"{name}={value}" : $"{Uri.EscapeDataString(Valid(name))}={Uri.EscapeDataString(Valid(value))}",
        };

    private static Gen<byte[]> Body { get; } = Gen.Frequency(
        (8, Gen.Choose(0, 8).SelectMany(n => Pair.ListOf(n)).Select(pairs => Encoding.UTF8.GetBytes(string.Join("&", pairs)))),
        (1, Gen.Choose(0, 255).Select(b => (byte)b).ListOf().Select(b => b.ToArray())),
        (1, Gen.Elements(16_000, 16_385, 40_000).Select(n => Encoding.ASCII.GetBytes("grant_type=password&password=" + new string('p', n)))));

    private static Gen<string?> ContentType { get; } = Gen.Frequency(
        (6, Gen.Constant<string?>("application/x-www-form-urlencoded")),
        (2, Gen.Elements<string?>("application/x-www-form-urlencoded; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED",
            "application/x-www-form-urlencoded; charset=latin1", "application/x-www-form-urlencoded;;", "application/x-www-form-urlencoded; charset=\"utf-8")),
        (2, FuzzContentTypes.Any));

    /// <summary>Text as a client library would encode it: a lone surrogate becomes U+FFFD.</summary>
    private static string Valid(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private sealed record Case(FuzzRequest Request, int[] Allowed, bool Introspection)
    {
        public override string ToString() => Request.ToString();
    }

    [Fact]
    public async Task Hostile_forms_are_answered_the_RFC_way_without_5xx_and_change_nothing()
    {
        // The caller of introspection: an application token of the fixture's application user.
        using var created = await fx.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/users/application-token")
        {
            Headers = { Authorization = new("Bearer", fx.AppRefresh) },
        });
        var appToken = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        var before = await fx.SnapshotAsync();
        var endpoints = new (string Path, int[] Allowed, bool Introspection)[]
        {
            // 401: a client authentication (a Basic header, a client_secret, an assertion) that fails.
            ("/oauth/token", [400, 401, 413, 431], false),
            ("/default/oauth/token", [400, 401, 413, 431], false),
            ("/oauth/revoke", [200, 400, 401, 413, 431], false),
            ("/default/oauth/introspect", [200, 400, 401, 413, 431], true),
        };
        var cases =
            from endpoint in Gen.Elements(endpoints)
            from body in Body
            from contentType in ContentType
            from chunked in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
            from authorization in endpoint.Introspection
                ? Gen.Frequency((3, Gen.Constant<string?>("Bearer " + appToken)), (2, FuzzTokens.Authorization(Now)))
                : Gen.Frequency((4, Gen.Constant<string?>(null)), (1, FuzzTokens.Authorization(Now)))
            select new Case(new FuzzRequest("POST", endpoint.Path, authorization, contentType, new FuzzBody("form", body), chunked), endpoint.Allowed, endpoint.Introspection);

        await Task.Run(() => Prop.ForAll(Arb.From(cases), (Action<Case>)(c => CheckAsync(c).GetAwaiter().GetResult()))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true)));
        await fx.AssertNothingChangedAsync(before);
    }

    private async Task CheckAsync(Case c)
    {
        var (status, mediaType, text) = await fx.SendAsync(c.Request);
        var shown = text.Length > 400 ? text[..400] + "..." : text;
        Assert.True(c.Allowed.Contains(status), $"{status} (expected one of {string.Join(", ", c.Allowed)}) for {c}\nanswer: {shown}");
        if (status is 400 or 401 or 413 or 431)
        {
            // Refusals before the endpoint (size, header limit) too: every refusal of /oauth is RFC 6749 §5.2.
            Assert.True(mediaType == "application/json", $"{status} with '{mediaType}' for {c}\nanswer: {shown}");
            var body = JsonDocument.Parse(text).RootElement;
            Assert.True(Errors.Contains(body.GetProperty("error").GetString()), $"unexpected error for {c}\nanswer: {shown}");
            // A failed client authentication is the bare {"error": "invalid_client"}, the same whatever failed.
            if (body.GetProperty("error").GetString() == "invalid_client" && status == 401) return;
            var description = body.GetProperty("error_description").GetString()!;
            // RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E.
            Assert.True(description.All(ch => ch is >= ' ' and <= '~' and not '"' and not '\\'), $"description outside RFC 6749's characters for {c}\nanswer: {shown}");
        }
        else if (status == 200 && c.Introspection)
        {
            // Only forged or random tokens are sent: never active.
            Assert.Equal("""{"active":false}""", text);
        }
    }
}
