using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Security;

/// <summary>
/// Property tests over the authentication and admin endpoints with hostile input: malformed,
/// mistyped, deeply nested, oversized and oddly encoded JSON, random and forged bearer tokens,
/// odd content types and empty bodies. Each property: never a 5xx, every refusal is
/// problem+json with <c>msg</c>, and nothing changes (the user list and the tenant settings are
/// the same JSON afterwards, and the admin still logs in). Failures print the request.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class FuzzTests(FuzzFixture fx) : IClassFixture<FuzzFixture>
{
    private static readonly (string, FieldKind)[] LoginFields = [("username", FieldKind.String), ("password", FieldKind.String)];

    private static readonly (string, FieldKind)[] UserFields =
    [
        ("username", FieldKind.String), ("password", FieldKind.String), ("email", FieldKind.String), ("type", FieldKind.String),
        ("isAdmin", FieldKind.Bool), ("status", FieldKind.Int), ("language", FieldKind.String), ("timeZone", FieldKind.String),
    ];

    /// <summary>Tenant settings with their ranges, as the settings declare them (<see cref="TenantSettingsRules"/>).</summary>
    private static readonly (string Name, int Min, int Max)[] TenantRanges = [.. TenantSettingsRules.Ranges];

    private static readonly (string, FieldKind)[] TenantFields =
        [.. TenantRanges.Select(r => (r.Name, FieldKind.Int)), ("refreshTokenRotation", FieldKind.Bool), ("disabled", FieldKind.Bool)];

    private static Gen<string?> ContentType => FuzzContentTypes.Any;
    private static Gen<bool> Chunked => Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)));

    private Task CheckAsync(Gen<FuzzRequest> requests, int cases, params int[] allowed) => Task.Run(() =>
        Prop.ForAll(Arb.From(requests), (Action<FuzzRequest>)(r => fx.AssertRefusedAsync(r, allowed).GetAwaiter().GetResult()))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true)));

    private static Gen<FuzzRequest> Requests(string method, string path, string? authorization, Gen<FuzzBody> bodies) =>
        from body in bodies
        from contentType in ContentType
        from chunked in Chunked
        select new FuzzRequest(method, path, authorization, contentType, body, chunked);

    private static string Bearer(string token) => "Bearer " + token;

    [Fact]
    public async Task Login_with_hostile_bodies_is_refused_without_5xx_and_changes_nothing()
    {
        var before = await fx.SnapshotAsync();
        var credentials = Gen.Zip(FuzzJson.String, FuzzJson.String, (u, p) => new FuzzBody("credentials", Encoding.UTF8.GetBytes($"{{\"username\":{u},\"password\":{p}}}")));
        var bodies = Gen.Frequency((3, FuzzBodies.For(LoginFields, mustBeRefused: false)), (2, credentials));
        var requests =
            from body in bodies
            from contentType in ContentType
            from chunked in Chunked
            from authorization in Gen.Frequency((4, Gen.Constant<string?>(null)), (1, FuzzTokens.Authorization(Now)))
            select new FuzzRequest("POST", "/api/users/login", authorization, contentType, body, chunked);

        await CheckAsync(requests, 200, 400, 401, 413, 429, 431);
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Random_bearer_tokens_are_refused_everywhere_without_5xx_and_change_nothing()
    {
        var before = await fx.SnapshotAsync();
        var endpoints = new (string Method, string Path, string? Body)[]
        {
            ("GET", "/api/users/me", null),
            ("POST", "/api/users/refresh", null),
            ("POST", "/api/users/application-token", null),
            ("POST", "/api/users/application-token", "{\"name\": \"fuzz\"}"),
            ("POST", "/api/users/logout", null),
            ("GET", "/api/users/me/sessions", null),
            ("POST", "/api/users/me/password", $"{{\"currentPassword\": \"{FuzzFixture.TargetPassword}\", \"newPassword\": \"Fuzz-New-Pass-0002\"}}"),
            ("GET", "/api/users?limit=1000", null),
            ("POST", "/api/users", "{\"username\": \"fuzz-created\", \"password\": \"Fuzz-Created-Pass-1\", \"isAdmin\": true}"),
            ("PATCH", $"/api/users/{fx.TargetId}", "{\"isAdmin\": true, \"password\": \"Fuzz-Changed-Pass-1\"}"),
            ("POST", $"/api/users/{fx.AdminId}", "{\"status\": 2}"),
            ("DELETE", $"/api/users/{fx.TargetId}", null),
            ("DELETE", $"/api/users/{fx.TargetId}/sessions", null),
            ("PATCH", "/api/tenants/default", "{\"refreshTokenRotation\": true, \"passwordMinLength\": 20}"),
            ("GET", "/api/tenants/default/keys", null),
            ("POST", "/api/tenants/default/keys/rotate", null),
        };
        var requests =
            from endpoint in Gen.Elements(endpoints)
            from authorization in FuzzTokens.Authorization(Now)
            from contentType in ContentType
            select new FuzzRequest(endpoint.Method, endpoint.Path, authorization, endpoint.Body is null ? null : contentType,
                endpoint.Body is null ? null : new FuzzBody("valid", Encoding.UTF8.GetBytes(endpoint.Body)), false);

        await CheckAsync(requests, 250, 400, 401, 431);
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Creating_users_from_hostile_bodies_is_refused_without_5xx_and_creates_nothing()
    {
        var before = await fx.SnapshotAsync();
        var bodies = Gen.Frequency((3, FuzzBodies.For(UserFields, mustBeRefused: true)), (2, RefusedUserFields(creating: true, 0)));
        var requests = Requests("POST", "/api/users", Bearer(fx.AdminAccess), bodies);

        await CheckAsync(requests, 200, 400, 409, 413);
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Updating_users_from_hostile_bodies_is_refused_without_5xx_and_changes_nothing()
    {
        var before = await fx.SnapshotAsync();
        var requests =
            from id in Gen.Elements(fx.AdminId, fx.TargetId, fx.AppId, 999_999, 0, -5, int.MaxValue)
            from method in Gen.Elements("PATCH", "POST")
            from body in Gen.Frequency((3, FuzzBodies.For(UserFields, mustBeRefused: true)), (2, RefusedUserFields(creating: false, id)))
            from contentType in ContentType
            from chunked in Chunked
            select new FuzzRequest(method, $"/api/users/{id}", Bearer(fx.AdminAccess), contentType, body, chunked);

        await CheckAsync(requests, 200, 400, 404, 409, 413);
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Tenant_settings_from_hostile_bodies_are_refused_without_5xx_and_nothing_is_stored()
    {
        var before = await fx.SnapshotAsync();
        var requests =
            from method in Gen.Elements("PATCH", "POST")
            from body in Gen.Frequency((3, FuzzBodies.For(TenantFields, mustBeRefused: true)), (2, RefusedTenantSettings()))
            from contentType in ContentType
            from chunked in Chunked
            select new FuzzRequest(method, "/api/tenants/default", Bearer(fx.AdminAccess), contentType, body, chunked);

        await CheckAsync(requests, 150, 400, 409, 413);
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Application_token_and_password_change_with_hostile_bodies_are_refused_without_5xx()
    {
        var before = await fx.SnapshotAsync();
        var longNames = Gen.Choose(129, 5_000).SelectMany(n => FuzzText.Odd.Select(s => FuzzText.Repeat(s.Length == 0 ? "n" : s, n)))
            .Select(name => new FuzzBody("name too long", Encoding.UTF8.GetBytes("{\"name\":" + FuzzJson.Quote(name, false) + "}")));
        var applicationToken = Requests("POST", "/api/users/application-token", Bearer(fx.AppRefresh),
            Gen.Frequency((3, FuzzBodies.For([("name", FieldKind.String)], mustBeRefused: true, blankAllowed: false)), (1, longNames)));
        var passwordChange = Requests("POST", "/api/users/me/password", Bearer(fx.TargetAccess),
            FuzzBodies.For([("currentPassword", FieldKind.String), ("newPassword", FieldKind.String)], mustBeRefused: true));

        await CheckAsync(Gen.OneOf(applicationToken, passwordChange), 150, 400, 413);
        await fx.AssertNothingChangedAsync(before);
        // The application user's refresh token still works: nothing was spent or revoked.
        await fx.AssertRefusedAsync(new FuzzRequest("POST", "/api/users/application-token", Bearer(fx.AppRefresh), "application/json", new FuzzBody("wrong type", "{\"name\": 1}"u8.ToArray()), false), 400);
    }

    [Fact]
    public async Task Odd_content_types_and_empty_bodies_are_refused_without_5xx()
    {
        var before = await fx.SnapshotAsync();
        var endpoints = new (string Method, string Path, string? Token, int[] Allowed)[]
        {
            ("POST", "/api/users/login", null, [400]),
            ("POST", "/api/users", fx.AdminAccess, [400]),
            ("PATCH", $"/api/users/{fx.TargetId}", fx.AdminAccess, [400]),
            ("POST", $"/api/users/{fx.AdminId}", fx.AdminAccess, [400]),
            ("PATCH", "/api/tenants/default", fx.AdminAccess, [400]),
            ("POST", "/api/users/me/password", fx.TargetAccess, [400]),
            // The body is optional here: an empty one goes on to the refusal of a user that is not an application user.
            ("POST", "/api/users/application-token", fx.AdminRefresh, [403]),
        };
        var requests =
            from endpoint in Gen.Elements(endpoints)
            from body in Gen.Elements<byte[]?>(null, [], " "u8.ToArray(), "\r\n\t"u8.ToArray())
            from contentType in ContentType
            from chunked in Chunked
            select new ExpectedRefusal(new FuzzRequest(endpoint.Method, endpoint.Path, endpoint.Token is null ? null : Bearer(endpoint.Token),
                contentType, body is null ? null : new FuzzBody("blank", body), chunked && body is not null), endpoint.Allowed);

        await Task.Run(() => Prop.ForAll(Arb.From(requests), (Action<ExpectedRefusal>)(c => fx.AssertRefusedAsync(c.Request, c.Allowed).GetAwaiter().GetResult()))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithQuietOnSuccess(true)));
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Tokens_signed_with_the_real_key_but_hostile_claims_are_refused_without_5xx()
    {
        var before = await fx.SnapshotAsync();
        var endpoints = new (string Method, string Path, bool Refresh)[]
        {
            ("GET", "/api/users/me", false),
            ("GET", "/api/users?limit=1", false),
            ("GET", "/api/users/me/sessions", false),
            ("POST", "/api/users/refresh", true),
            ("POST", "/api/users/application-token", true),
        };
        var cases =
            from endpoint in Gen.Elements(endpoints)
            from breaking in Gen.Choose(1, 3).SelectMany(n => Gen.Elements(BreakingChanges(endpoint.Refresh)).ListOf(n))
            from extras in Gen.Choose(0, 2).SelectMany(n => Gen.Elements(ExtraChanges).ListOf(n))
            // An extra change never undoes a breaking one.
            let extra = extras.Where(e => breaking.All(b => b.Claim != e.Claim))
            from header in Gen.Frequency((4, Gen.Constant<HeaderChange>(new("real header", null))), (3, Gen.Elements(Headers)))
            select new SignedCase(endpoint.Method, endpoint.Path, endpoint.Refresh, [.. breaking, .. extra], header);

        await Task.Run(() => Prop.ForAll(Arb.From(cases), (Action<SignedCase>)(c =>
            {
                var token = fx.Tokens.Resign(c.Refresh ? fx.AdminRefresh : fx.AdminAccess, payload =>
                {
                    // Claims as raw JSON text, in order, so that any text (a lone surrogate too) can be put in.
                    using var document = JsonDocument.Parse(payload);
                    var claims = document.RootElement.EnumerateObject().Select(p => (Name: p.Name, Json: p.Value.GetRawText())).ToList();
                    foreach (var change in c.Changes) change.Apply(claims);
                    return "{" + string.Join(",", claims.Select(p => $"\"{p.Name}\":{p.Json}")) + "}";
                }, c.Header.Header);
                fx.AssertRefusedAsync(new FuzzRequest(c.Method, c.Path, Bearer(token), null, null, false), 401, 431).GetAwaiter().GetResult();
            }))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(150).WithQuietOnSuccess(true)));
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Json_nested_1000_levels_deep_is_refused_with_400_everywhere()
    {
        var before = await fx.SnapshotAsync();
        foreach (var (method, path, token) in BodyEndpoints())
        {
            foreach (var opener in new[] { "[", "{\"a\":", "{\"username\":[" })
            {
                var body = new FuzzBody("1000 levels", Encoding.UTF8.GetBytes(FuzzJson.Nest(opener, 1000)));
                foreach (var chunked in new[] { false, true })
                    await fx.AssertRefusedAsync(new FuzzRequest(method, path, token is null ? null : Bearer(token), "application/json", body, chunked), 400);
            }
        }
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Ten_megabyte_body_is_refused_with_413_everywhere()
    {
        var before = await fx.SnapshotAsync();
        var json = "{\"username\":\"" + new string('a', 10 * 1024 * 1024) + "\",\"password\":\"x\"}";
        var body = new FuzzBody("10 MB", Encoding.UTF8.GetBytes(json));
        foreach (var (method, path, token) in BodyEndpoints())
        {
            foreach (var chunked in new[] { false, true })
                await fx.AssertRefusedAsync(new FuzzRequest(method, path, token is null ? null : Bearer(token), "application/json", body, chunked), 413);
        }
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Invalid_UTF8_or_lone_surrogates_in_JSON_strings_are_400_not_500()
    {
        var before = await fx.SnapshotAsync();
        var cases = new (string Method, string Path, string? Token, string Field)[]
        {
            ("POST", "/api/users/login", null, "username"),
            ("POST", "/api/users/application-token", fx.AppRefresh, "name"),
            ("POST", "/api/users/me/password", fx.TargetAccess, "currentPassword"),
            ("POST", "/api/users", fx.AdminAccess, "username"),
            ("PATCH", $"/api/users/{fx.TargetId}", fx.AdminAccess, "language"),
            ("PATCH", "/api/tenants/default", fx.AdminAccess, "passwordMinLength"),
        };
        foreach (var (method, path, token, field) in cases)
        {
            var bodies = new[]
            {
                new FuzzBody("lone high surrogate", Encoding.UTF8.GetBytes($"{{\"{field}\": \"a\\uD800b\"}}")),
                new FuzzBody("lone low surrogate", Encoding.UTF8.GetBytes($"{{\"{field}\": \"\\uDC00\"}}")),
                new FuzzBody("invalid UTF-8", [.. Encoding.UTF8.GetBytes($"{{\"{field}\": \"a"), 0xC3, 0x28, .. "\"}"u8.ToArray()]),
                new FuzzBody("lone surrogate in an unknown property name", Encoding.UTF8.GetBytes("{\"\\uDC00x\": 1}")),
                new FuzzBody("invalid UTF-8 in an unknown property name", [.. "{\""u8.ToArray(), 0xFF, .. "\": 1}"u8.ToArray()]),
            };
            foreach (var body in bodies)
                await fx.AssertRefusedAsync(new FuzzRequest(method, path, token is null ? null : Bearer(token), "application/json", body, false), 400);
        }
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Names_that_Unicode_cannot_normalize_are_refused_without_5xx()
    {
        var before = await fx.SnapshotAsync();
        foreach (var odd in new[] { "\uFFFE", "a\uFFFE\u0301" })
        {
            // U+FFFE is valid JSON and valid UTF-8 (a noncharacter), but string.Normalize(FormKC) throws on it.
            await fx.AssertRefusedAsync(new FuzzRequest("POST", "/api/users/login", null, "application/json",
                new FuzzBody("noncharacter in username", Encoding.UTF8.GetBytes($"{{\"username\": \"fuzz{odd}\", \"password\": \"Some-Password-1\"}}")), false), 400, 401);
            await fx.AssertRefusedAsync(new FuzzRequest("POST", "/api/users", Bearer(fx.AdminAccess), "application/json",
                new FuzzBody("noncharacter in username", Encoding.UTF8.GetBytes($"{{\"username\": \"fuzz{odd}\", \"password\": \"Fuzz-Valid-Pass-123\"}}")), false), 400);
            await fx.AssertRefusedAsync(new FuzzRequest("POST", "/api/users", Bearer(fx.AdminAccess), "application/json",
                new FuzzBody("noncharacter in the password of an existing name", Encoding.UTF8.GetBytes($"{{\"username\": \"admin\", \"password\": \"Fuzz-Valid-{odd}-123\"}}")), false), 400, 409);
        }
        await fx.AssertNothingChangedAsync(before);
    }

    [Fact]
    public async Task Issued_at_beyond_the_year_9999_is_401_not_500()
    {
        foreach (var iat in new[] { "253402300800", "9223372036854775807" })
        {
            var token = fx.Tokens.Resign(fx.AdminAccess, payload => System.Text.RegularExpressions.Regex.Replace(payload, "\"iat\":\\d+", $"\"iat\":{iat}"));
            await fx.AssertRefusedAsync(new FuzzRequest("GET", "/api/users/me", Bearer(token), null, null, false), 401);
        }
    }

    [Fact]
    public async Task Unmatched_ids_and_wrong_methods_answer_in_the_problem_shape()
    {
        await fx.AssertRefusedAsync(new FuzzRequest("PATCH", "/api/users/99999999999", Bearer(fx.AdminAccess), "application/json", new FuzzBody("valid", "{\"language\": \"fr\"}"u8.ToArray()), false), 404);
        await fx.AssertRefusedAsync(new FuzzRequest("PATCH", "/api/users/abc", Bearer(fx.AdminAccess), "application/json", new FuzzBody("valid", "{\"language\": \"fr\"}"u8.ToArray()), false), 404);
        await fx.AssertRefusedAsync(new FuzzRequest("GET", "/api/users/login", null, null, null, false), 405);
        await fx.AssertRefusedAsync(new FuzzRequest("PUT", "/api/users/refresh", Bearer(fx.AdminRefresh), null, null, false), 405);
    }

    private IEnumerable<(string Method, string Path, string? Token)> BodyEndpoints() =>
    [
        ("POST", "/api/users/login", null),
        ("POST", "/api/users/application-token", fx.AppRefresh),
        ("POST", "/api/users/me/password", fx.TargetAccess),
        ("POST", "/api/users", fx.AdminAccess),
        ("PATCH", $"/api/users/{fx.TargetId}", fx.AdminAccess),
        ("PATCH", "/api/tenants/default", fx.AdminAccess),
    ];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>
    /// User objects of the right JSON types that a rule must refuse as a whole: one refused field
    /// (or a name that exists, or the last admin's demotion) among valid others.
    /// </summary>
    private Gen<FuzzBody> RefusedUserFields(bool creating, int id)
    {
        var refused = new List<Gen<(string Field, string Value)>>
        {
            Gen.Elements("no-at-sign", "a@b@c", "@x", "x@", "a b@c.d", "a\u0000@b", "\u0007@b", new string('e', 250) + "@b.cd").Select(v => ("email", FuzzJson.Quote(v, false))),
            Gen.Elements("admin", "User", "APPLICATION", "", "user ", "superuser", "users", "\u0000").Select(v => ("type", FuzzJson.Quote(v, false))),
            Gen.Elements(-1, 4, 5, 100, int.MaxValue, int.MinValue).Select(v => ("status", v.ToString(CultureInfo.InvariantCulture))),
            Gen.Elements("de", "EN", "Fr", "", "en-US", "fr ", "\u0000", "\uFF45\uFF4E").Select(v => ("language", FuzzJson.Quote(v, false))),
            Gen.Elements("", new string('z', 65), "UTC\u0000", "\u0007", "Europe/\nParis").Select(v => ("timeZone", FuzzJson.Quote(v, false))),
            Gen.Elements("", " leading", "trailing ", "a\u0000b", "a\nb", "\u0085x", new string('u', 129), "\u00A0x").Select(v => ("username", FuzzJson.Quote(v, false))),
            Gen.Elements("short", "1234567", "", "\U0001F600\U0001F600\U0001F600", "password", "12345678", "qwertyuiop").Select(v => ("password", FuzzJson.Quote(v, false))),
        };
        // Names that exist, also in other cases and forms that normalize to them (NFKC, case);
        // never the user's own name, which would only change its spelling.
        var own = id == fx.AdminId ? "admin" : id == fx.TargetId ? "fuzz-target" : id == fx.AppId ? "fuzz-app" : null;
        var existing = new[] { "admin", "ADMIN", "Admin", "\uFF41\uFF44\uFF4D\uFF49\uFF4E", "\u1D43dmin", "fuzz-target", "FUZZ-TARGET", "fuzz-app", "Fuzz-App" }
            .Where(name => creating || own is null || !string.Equals(name.Normalize(NormalizationForm.FormKC), own, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        refused.Add(Gen.Elements(existing).Select(v => ("username", FuzzJson.Quote(v, false))));
        // The only admin cannot be demoted or deactivated.
        if (!creating && id == fx.AdminId) refused.Add(Gen.Elements(("isAdmin", "false"), ("status", "0"), ("status", "2")));

        var validFields = new (string Field, Gen<string> Value)[]
        {
            ("username", Gen.Choose(0, 1_000_000).Select(n => $"\"fz-{n}\"")),
            ("password", Gen.Elements("\"Fuzz-Valid-Pass-123\"", "\"another long passphrase 42\"")),
            ("email", Gen.Choose(0, 1_000_000).Select(n => $"\"fz{n}@example.test\"")),
            ("type", Gen.Elements("\"user\"", "\"application\"")),
            ("isAdmin", Gen.Elements("true", "false")),
            ("status", Gen.Elements("0", "1", "2", "3")),
            ("language", Gen.Elements("\"en\"", "\"fr\"")),
            ("timeZone", Gen.Elements("\"UTC\"", "\"Europe/Paris\"")),
        };
        var valid = Gen.SubListOf(validFields).SelectMany(fields => fields.Count == 0
            ? Gen.Constant(new List<(string Field, string Value)>())
            : Gen.CollectToList(fields.Select(f => f.Value.Select(v => (f.Field, Value: v)))));

        return from bad in Gen.OneOf(refused)
               from others in valid
               let members = others.Where(o => o.Field != bad.Field).Append(bad).ToList()
               let complete = creating ? Require(Require(members, "username", "\"fz-required\""), "password", "\"Fuzz-Valid-Pass-123\"") : members
               select new FuzzBody($"refused {bad.Field}={bad.Value}", Encoding.UTF8.GetBytes(FuzzJson.Object(complete.Select(m => ("\"" + m.Field + "\"", m.Value)))));
    }

    private static List<(string Field, string Value)> Require(List<(string Field, string Value)> members, string field, string value) =>
        members.Any(m => m.Field == field) ? members : [.. members, (field, value)];

    /// <summary>Settings of the right types with at least one out of its range (or disabling the operator tenant) among valid others.</summary>
    private static Gen<FuzzBody> RefusedTenantSettings()
    {
        var outOfRange = Gen.Elements(TenantRanges).SelectMany(r =>
            Gen.Elements(r.Min - 1, r.Max + 1, r.Max + 1_000_000, int.MinValue, int.MaxValue, -1)
                .Where(v => v < r.Min || v > r.Max)
                .Select(v => (Field: r.Name, Value: v.ToString(CultureInfo.InvariantCulture))));
        var disable = Gen.Constant((Field: "disabled", Value: "true"));
        // In range and independent of each other (lockout base and max are left out: max depends on base).
        var independent = TenantRanges.Where(r => r.Name is not ("lockoutBaseSeconds" or "lockoutMaxSeconds")).ToArray();
        var valid = Gen.SubListOf(independent).SelectMany(fields => fields.Count == 0
            ? Gen.Constant(new List<(string Field, string Value)>())
            : Gen.CollectToList(fields.Select(f => Gen.Choose(f.Min, f.Max).Select(v => (Field: f.Name, Value: v.ToString(CultureInfo.InvariantCulture))))));
        var rotation = Gen.Elements<(string Field, string Value)?>(null, ("refreshTokenRotation", "true"), ("refreshTokenRotation", "false"));

        return from bad in Gen.Frequency((5, outOfRange), (1, disable))
               from others in valid
               from flag in rotation
               let members = others.Where(o => o.Field != bad.Field).Concat(flag is { } f ? [f] : []).Append(bad)
               select new FuzzBody($"refused {bad.Field}={bad.Value}", Encoding.UTF8.GetBytes(FuzzJson.Object(members.Select(m => ("\"" + m.Field + "\"", m.Value)))));
    }

    public sealed record ExpectedRefusal(FuzzRequest Request, int[] Allowed)
    {
        public override string ToString() => $"{Request} (expected {string.Join(" or ", Allowed)})";
    }

    public sealed record ClaimChange(string Claim, string Label, Action<List<(string Name, string Json)>> Apply)
    {
        public override string ToString() => Label;
    }

    public sealed record HeaderChange(string Label, string? Header)
    {
        public override string ToString() => Label;
    }

    public sealed record SignedCase(string Method, string Path, bool Refresh, ClaimChange[] Changes, HeaderChange Header)
    {
        public override string ToString() => $"{Method} {Path} with the admin's {(Refresh ? "refresh" : "access")} token, header: {Header}, claims: {string.Join("; ", Changes.Select(c => c.Label))}";
    }

    private static ClaimChange Set(string claim, string json) => new(claim, $"{claim}={(json.Length > 80 ? json[..80] + "..." : json)}", claims =>
    {
        var at = claims.FindIndex(c => c.Name == claim);
        if (at < 0) claims.Add((claim, json));
        else claims[at] = (claim, json);
    });

    private static ClaimChange Remove(string claim) => new(claim, $"no {claim}", claims => claims.RemoveAll(c => c.Name == claim));

    /// <summary>Changes each of which alone must make the token invalid for the endpoint.</summary>
    private static ClaimChange[] BreakingChanges(bool refresh)
    {
        var now = Now;
        return
        [
            Set("type", refresh ? "\"access\"" : "\"refresh\""), Set("type", "\"application\""), Set("type", "1"), Set("type", "null"), Remove("type"),
            Set("tid", "\"other\""), Set("tid", "\"DEFAULT\""), Set("tid", "\"\""), Remove("tid"),
            Set("iss", "\"http://evil.example/default\""), Set("iss", "\"http://127.0.0.1:5080/other\""), Remove("iss"),
            Set("aud", "\"other\""), Set("aud", "[]"), Set("aud", "1"), Remove("aud"),
            Set("sid", "\"00000000-0000-0000-0000-000000000000\""), Set("sid", "\"\""), Set("sid", "\"../x\""), Set("sid", "1"), Remove("sid"),
            Set("sid", "\"" + new string('s', 5_000) + "\""),
            Set("uid", "\"abc\""), Set("uid", "\"-1\""), Set("uid", "\"2147483648\""), Set("uid", "\"99999\""), Set("uid", "\"\""), Set("uid", "\" 1\""),
            Set("uid", "\"1.0\""), Set("uid", "\"0x1\""), Set("uid", "{}"), Remove("uid"),
            Set("jti", "\"\""), Remove("jti"),
            Remove("iat"), Set("iat", "\"abc\""), Set("iat", "9999999999999"), Set("iat", "253402300800"),
            Set("iat", "9223372036854775807"), Set("iat", (now + 3_600).ToString(CultureInfo.InvariantCulture)),
            Set("iat", "1e300"),
            Set("exp", (now - 3_600).ToString(CultureInfo.InvariantCulture)), Remove("exp"), Set("exp", "0"), Set("exp", "-1"),
            Set("nbf", (now + 3_600).ToString(CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>Changes that need not invalidate a token by themselves, mixed in with breaking ones.</summary>
    private static readonly ClaimChange[] ExtraChanges =
    [
        Set("exp", "9999999999999"), Set("exp", "1e300"), Set("exp", "\"never\""), Set("exp", "9223372036854775807"),
        Set("nbf", "0"), Set("nbf", "-1"), Set("nbf", "\"abc\""), Set("nbf", "-62135596801"), Remove("nbf"),
        // A token issued long ago (iat before year 1) is old, not invalid: its exp decides.
        Set("iat", "-62135596801"), Set("iat", "-9223372036854775808"), Set("iat", "1.5"),
        // One-element arrays read as their element.
        Set("uid", "[\"1\"]"), Set("tid", "[\"default\"]"),
        Set("fresh", "true"), Set("identity", "\"\\u0000\\ud800 admin\\u202e\""), Set("jti", "\"../../x\""), Set("uid", "1"),
        Set("aud", "[\"itempath-api\", \"other\"]"), Set("huge", "\"" + new string('h', 6_000) + "\""),
        Set("deep", FuzzJson.Nest("[", 60)),
    ];

    private static readonly HeaderChange[] Headers =
    [
        new("kid k2", "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"k2\"}"),
        new("kid ../k1", "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"../k1\"}"),
        new("kid SQL", "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"k1' OR 1=1 --\"}"),
        new("no kid", "{\"typ\":\"JWT\",\"alg\":\"HS256\"}"),
        new("kid 1", "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":1}"),
        new("alg none", "{\"typ\":\"JWT\",\"alg\":\"none\",\"kid\":\"k1\"}"),
        new("alg HS512", "{\"typ\":\"JWT\",\"alg\":\"HS512\",\"kid\":\"k1\"}"),
        new("alg RS256", "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"k1\"}"),
        new("typ at+jwt", "{\"typ\":\"at+jwt\",\"alg\":\"HS256\",\"kid\":\"k1\"}"),
        new("no typ", "{\"alg\":\"HS256\",\"kid\":\"k1\"}"),
        new("crit", "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"k1\",\"crit\":[\"exp\"]}"),
        new("jku", "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"k1\",\"jku\":\"http://127.0.0.1:9/jwks\"}"),
        new("header array", "[]"),
        new("header not JSON", "not json"),
    ];
}
