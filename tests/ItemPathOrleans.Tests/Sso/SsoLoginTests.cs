using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>
/// Single sign-on end to end: an Entra double on loopback issues ID tokens, the API validates
/// them against the double's metadata and keys, and the cluster links, provisions and signs in.
/// </summary>
[Collection(SsoCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class SsoLoginTests(SsoFixture fixture) : IAsyncLifetime
{
    private EntraDouble _entra = null!;
    private string _tenant = null!;
    private readonly string _tid = Guid.NewGuid().ToString();

    public async Task InitializeAsync()
    {
        _entra = await EntraDouble.StartAsync();
        _tenant = await fixture.CreateTenantAsync("sso");
        await ConfigureAsync(autoProvision: false);
    }

    public async Task DisposeAsync() => await _entra.DisposeAsync();

    private Task<JsonElement> ConfigureAsync(bool autoProvision, string? tenant = null, string? clientId = null) =>
        fixture.ConfigureSsoAsync(tenant ?? _tenant, new
        {
            authority = _entra.Authority,
            clientId = clientId ?? EntraDouble.ClientId,
            entraTenantIds = new[] { _tid },
            autoProvision,
        });

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private Dictionary<string, object> Claims(string username, string? oid = null) => _entra.Claims(_tid, oid ?? Guid.NewGuid().ToString(), username, Now);

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)] + "@contoso.example";

    private async Task<JsonElement> Refused(HttpResponseMessage response, string msg, string? token = null)
    {
        var body = await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, msg);
        Assert.False(body.GetProperty("login").GetBoolean());
        if (token is not null)
        {
            // Never echoed: not the token, nor its signature, nor its claims part.
            var text = body.GetRawText();
            foreach (var part in token.Split('.').Where(p => p.Length > 8)) Assert.DoesNotContain(part, text);
        }
        return body;
    }

    [Fact]
    public async Task Sso_login_answers_like_a_password_login_and_opens_an_sso_session()
    {
        var username = Unique("alice");
        var user = await fixture.CreateUserAsync(_tenant, username);
        var id = user.GetProperty("id").GetInt32();

        var login = await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username))));
        Assert.True(login.GetProperty("login").GetBoolean());
        Assert.Equal(id, login.GetProperty("id").GetInt32());
        Assert.Equal(username, login.GetProperty("username").GetString());
        Assert.Equal("user", login.GetProperty("type").GetString());
        Assert.False(login.GetProperty("isAdmin").GetBoolean());
        Assert.Matches(@"^\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d$", login.GetProperty("accessExpiryDate").GetString());
        Assert.Matches(@"^\d\d/\d\d/\d{4}, \d\d:\d\d:\d\d$", login.GetProperty("refreshExpiryDate").GetString());

        // The tokens are this service's own: they work everywhere a password login's do.
        var access = login.GetProperty("accessToken").GetString()!;
        using var me = fixture.Client(_tenant, access);
        Assert.Equal(username, (await HttpAssert.Ok(await me.GetAsync("/api/users/me"))).GetProperty("username").GetString());
        var sessions = await HttpAssert.Ok(await me.GetAsync("/api/users/me/sessions"));
        Assert.Equal("sso", Assert.Single(sessions.GetProperty("sessions").EnumerateArray()).GetProperty("kind").GetString());
        using var refresh = fixture.Client(_tenant, login.GetProperty("refreshToken").GetString());
        await HttpAssert.Ok(await refresh.PostAsync("/api/users/refresh", null));

        using var admin = fixture.Client(_tenant, await fixture.TenantAdminTokenAsync(_tenant));
        var events = await HttpAssert.Ok(await admin.GetAsync($"/api/users/{id}/events"));
        var names = events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("sso_linked", names);
        Assert.Contains("sso_login_succeeded", names);
    }

    [Fact]
    public async Task Get_sso_tells_a_front_end_how_to_start_msal()
    {
        var other = await fixture.CreateTenantAsync("nosso");
        using (var http = fixture.Client(other))
        {
            var off = await HttpAssert.Ok(await http.GetAsync("/api/users/sso"));
            Assert.False(off.GetProperty("enabled").GetBoolean());
            Assert.Equal(JsonValueKind.Null, off.GetProperty("authority").ValueKind);
        }
        using (var http = fixture.Client(_tenant))
        {
            var on = await HttpAssert.Ok(await http.GetAsync("/api/users/sso"));
            Assert.True(on.GetProperty("enabled").GetBoolean());
            // MSAL's form of the authority: without the /v2.0 of its metadata address.
            Assert.Equal(_entra.Authority[..^"/v2.0".Length], on.GetProperty("authority").GetString());
            Assert.Equal(EntraDouble.ClientId, on.GetProperty("clientId").GetString());
            Assert.Contains("openid", on.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        }
    }

    [Fact]
    public async Task An_unknown_person_is_refused_without_auto_provisioning()
    {
        var token = _entra.Sign(Claims(Unique("nobody")));
        await Refused(await fixture.SsoLoginAsync(_tenant, token), "Unknown user: no user of this tenant is linked to this account", token);
    }

    [Fact]
    public async Task Auto_provisioning_creates_a_user_of_type_user_whose_password_login_always_fails()
    {
        await ConfigureAsync(autoProvision: true);
        var username = Unique("newcomer");
        var login = await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username))));
        Assert.Equal(username, login.GetProperty("username").GetString());
        Assert.Equal("user", login.GetProperty("type").GetString());
        Assert.False(login.GetProperty("isAdmin").GetBoolean());

        using var admin = fixture.Client(_tenant, await fixture.TenantAdminTokenAsync(_tenant));
        var user = await HttpAssert.Ok(await admin.GetAsync($"/api/users/{login.GetProperty("id").GetInt32()}"));
        Assert.Equal(1, user.GetProperty("status").GetInt32());
        Assert.Equal("user", user.GetProperty("type").GetString());

        // No password exists: whatever is tried, the answer is the ordinary login failure.
        using var http = fixture.Client(_tenant);
        foreach (var password in new[] { "x", "Correct-horse-9", username })
        {
            var response = await http.PostAsJsonAsync("/api/users/login", new { username, password });
            await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, "Bad username or password");
        }
    }

    [Fact]
    public async Task Concurrent_first_logins_of_one_person_make_one_user()
    {
        await ConfigureAsync(autoProvision: true);
        var username = Unique("twin");
        var oid = Guid.NewGuid().ToString();
        var logins = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))))));
        Assert.Single(logins.Select(l => l.GetProperty("id").GetInt32()).Distinct());

        using var admin = fixture.Client(_tenant, await fixture.TenantAdminTokenAsync(_tenant));
        var list = await HttpAssert.Ok(await admin.GetAsync($"/api/users?username={Uri.EscapeDataString(username)}"));
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Two_people_racing_for_one_account_by_its_name_link_only_one()
    {
        var username = Unique("race");
        var user = await fixture.CreateUserAsync(_tenant, username);
        var oids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid().ToString()).ToList();
        var answers = await Task.WhenAll(oids.Select(oid => fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid)))));
        var winners = oids.Where((_, i) => answers[i].StatusCode == HttpStatusCode.OK).ToList();
        var winner = Assert.Single(winners);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        // The winner keeps the account; every other person stays out.
        Assert.Equal(user.GetProperty("id").GetInt32(),
            (await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, winner))))).GetProperty("id").GetInt32());
        foreach (var loser in oids.Where(o => o != winner))
        {
            await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, loser))), "Unknown user: no user of this tenant is linked to this account");
        }
    }

    [Fact]
    public async Task A_linked_user_is_never_matched_by_the_claim_again()
    {
        await ConfigureAsync(autoProvision: true);
        var username = Unique("bob");
        var user = await fixture.CreateUserAsync(_tenant, username);
        var first = Guid.NewGuid().ToString();
        Assert.Equal(user.GetProperty("id").GetInt32(),
            (await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, first))))).GetProperty("id").GetInt32());

        // Another Entra person claiming the same name: not bob, and no second bob either.
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, Guid.NewGuid().ToString()))),
            "Unknown user: no user of this tenant is linked to this account");

        // The link holds even when the name claim changes.
        var renamed = await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(Unique("robert"), first))));
        Assert.Equal(user.GetProperty("id").GetInt32(), renamed.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_user_is_matched_by_email_at_the_first_sign_in()
    {
        var email = Unique("carol");
        var user = await fixture.CreateUserAsync(_tenant, $"carol-{Guid.NewGuid():N}"[..14], email);
        var login = await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(email.ToUpperInvariant()))));
        Assert.Equal(user.GetProperty("id").GetInt32(), login.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task A_deleted_users_link_is_dropped_and_the_person_starts_again()
    {
        await ConfigureAsync(autoProvision: true);
        var username = Unique("quinn");
        var user = await fixture.CreateUserAsync(_tenant, username);
        var oid = Guid.NewGuid().ToString();
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));

        using var admin = fixture.Client(_tenant, await fixture.TenantAdminTokenAsync(_tenant));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{user.GetProperty("id").GetInt32()}")).StatusCode);
        var again = await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));
        Assert.NotEqual(user.GetProperty("id").GetInt32(), again.GetProperty("id").GetInt32());
        Assert.Equal(username, again.GetProperty("username").GetString());
    }

    [Fact]
    public async Task A_deactivated_user_is_refused()
    {
        var username = Unique("dave");
        var user = await fixture.CreateUserAsync(_tenant, username);
        var oid = Guid.NewGuid().ToString();
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));

        using var admin = fixture.Client(_tenant, await fixture.TenantAdminTokenAsync(_tenant));
        await HttpAssert.Ok(await admin.PatchAsJsonAsync($"/api/users/{user.GetProperty("id").GetInt32()}", new { status = 2 }));
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))), "User is not active");
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        var username = Unique("erin");
        await fixture.CreateUserAsync(_tenant, username);
        var claims = Claims(username);
        claims["aud"] = Guid.NewGuid().ToString();
        var token = _entra.Sign(claims);
        await Refused(await fixture.SsoLoginAsync(_tenant, token), "ID token audience is not this tenant's client id", token);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused()
    {
        var username = Unique("frank");
        await fixture.CreateUserAsync(_tenant, username);
        var claims = Claims(username);
        claims["iss"] = $"https://sts.windows.net/{_tid}/";
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(claims)), "ID token issuer is not the configured authority");
    }

    [Fact]
    public async Task A_token_of_another_entra_tenant_is_refused_even_through_a_multi_tenant_authority()
    {
        var username = Unique("grace");
        await fixture.CreateUserAsync(_tenant, username);
        // Signed by the authority, issuer filled with its own tid: everything right but the organisation.
        var otherTid = Guid.NewGuid().ToString();
        var token = _entra.Sign(_entra.Claims(otherTid, Guid.NewGuid().ToString(), username, Now));
        await Refused(await fixture.SsoLoginAsync(_tenant, token), "ID token is from an Entra tenant this tenant does not accept");
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var username = Unique("heidi");
        await fixture.CreateUserAsync(_tenant, username);
        var claims = _entra.Claims(_tid, Guid.NewGuid().ToString(), username, Now.AddHours(-2));
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(claims)), "ID token has expired");
    }

    [Fact]
    public async Task A_token_not_yet_valid_is_refused()
    {
        var username = Unique("ivan");
        await fixture.CreateUserAsync(_tenant, username);
        var claims = _entra.Claims(_tid, Guid.NewGuid().ToString(), username, Now.AddMinutes(10));
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(claims)), "ID token is not yet valid");
    }

    [Fact]
    public async Task A_token_with_a_bad_signature_is_refused()
    {
        var username = Unique("judy");
        await fixture.CreateUserAsync(_tenant, username);
        using var forger = System.Security.Cryptography.RSA.Create(2048);
        var token = _entra.Sign(Claims(username), signWith: forger);
        await Refused(await fixture.SsoLoginAsync(_tenant, token), "ID token signature verification failed", token);

        // A real token with one claim changed after signing: the same.
        var real = _entra.Sign(Claims(username)).Split('.');
        var tampered = Claims(Unique("mallory"));
        var payload = System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(tampered));
        await Refused(await fixture.SsoLoginAsync(_tenant, $"{real[0]}.{payload}.{real[2]}"), "ID token signature verification failed");
    }

    [Fact]
    public async Task An_unsigned_token_with_alg_none_is_refused()
    {
        var username = Unique("ken");
        await fixture.CreateUserAsync(_tenant, username);
        var header = new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "none", ["kid"] = _entra.CurrentKid };
        await Refused(await fixture.SsoLoginAsync(_tenant, EntraDouble.SignWithHeader(header, Claims(username), null)), "ID token algorithm must be RS256");
        header["alg"] = "None";
        await Refused(await fixture.SsoLoginAsync(_tenant, EntraDouble.SignWithHeader(header, Claims(username), null)), "ID token algorithm must be RS256");
    }

    [Fact]
    public async Task An_hs256_token_signed_with_the_public_key_as_secret_is_refused()
    {
        var username = Unique("leo");
        await fixture.CreateUserAsync(_tenant, username);
        var header = new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "HS256", ["kid"] = _entra.CurrentKid };
        var (jwk, pem) = _entra.PublicKeyForms();
        foreach (var secret in new[] { jwk, pem })
        {
            await Refused(await fixture.SsoLoginAsync(_tenant, EntraDouble.SignWithHeader(header, Claims(username), secret)), "ID token algorithm must be RS256");
        }
    }

    [Fact]
    public async Task Malformed_and_oversized_tokens_are_refused()
    {
        await Refused(await fixture.SsoLoginAsync(_tenant, "not-a-token"), "ID token is malformed");
        await Refused(await fixture.SsoLoginAsync(_tenant, "e30.e30.e30"), "ID token algorithm must be RS256");
        await HttpAssert.Problem(await fixture.SsoLoginAsync(_tenant, new string('a', 12_289)), HttpStatusCode.BadRequest, "idToken must be 1 to 12288 characters");
        using var http = fixture.Client(_tenant);
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/sso/login", new { token = "x" }), HttpStatusCode.BadRequest, "Missing field: idToken");
    }

    [Fact]
    public async Task Hostile_id_tokens_are_refused_never_a_5xx()
    {
        var random = new Random(20261128);
        string B64(string json) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
        string Noise(int length) => System.Buffers.Text.Base64Url.EncodeToString(Enumerable.Range(0, length).Select(_ => (byte)random.Next(256)).ToArray());
        var header = B64($"{{\"alg\":\"RS256\",\"kid\":\"{_entra.CurrentKid}\"}}");
        var tokens = new List<string>
        {
            "", ".", "..", "...", "a.b", "a.b.c.d", "a.b.c.d.e", new string('.', 5_000),
            $"{B64("[]")}.{B64("{}")}.", $"{B64("null")}.{B64("{}")}.x", $"{B64("{\"alg\":5}")}.{B64("{}")}.x",
            $"{B64("{\"alg\":\"RS256\",\"kid\":\"../../etc/passwd\"}")}.{B64("{\"tid\":\"" + _tid + "\",\"oid\":\"" + _tid + "\"}")}.{Noise(256)}",
            $"{B64("{\"alg\":\"RS256\",\"kid\":{\"a\":1}}")}.{B64("{}")}.{Noise(256)}",
            $"{header}.{B64("{\"tid\":5,\"oid\":[1]}")}.{Noise(256)}",
            $"{header}.{B64("{\"tid\":\"" + _tid + "\",\"oid\":\"" + _tid + "\",\"exp\":\"soon\"}")}.{Noise(256)}",
            $"{header}.{B64(new string('[', 5_000) + new string(']', 5_000))}.{Noise(256)}",
            $"{header}.{Noise(3_000)}.{Noise(256)}",
        };
        for (var i = 0; i < 100; i++) tokens.Add(string.Join('.', Enumerable.Range(0, random.Next(1, 6)).Select(_ => Noise(random.Next(0, 400)))));

        using var http = fixture.Client(_tenant);
        foreach (var idToken in tokens)
        {
            var response = await http.PostAsJsonAsync("/api/users/sso/login", new { idToken });
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized,
                $"{(int)response.StatusCode} for a token of {idToken.Length} characters");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_key_rollover_is_followed_with_one_refetch_at_most_once_a_minute()
    {
        var username = Unique("mia");
        await fixture.CreateUserAsync(_tenant, username);
        var oid = Guid.NewGuid().ToString();
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));
        Assert.Equal(1, _entra.KeyFetches);

        // The provider rolls its key over: the first token with the new kid refetches once and passes.
        _entra.RotateKey();
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));
        Assert.Equal(2, _entra.KeyFetches);
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));
        Assert.Equal(2, _entra.KeyFetches);

        // Another rollover within the minute: no refetch (an attacker's random kids cannot make the
        // server hammer the provider), the token is refused.
        _entra.RotateKey();
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))), "ID token signing key is unknown");
        Assert.Equal(2, _entra.KeyFetches);

        // A minute later the next unknown kid refetches again.
        fixture.Time.Advance(TimeSpan.FromSeconds(61));
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));
        Assert.Equal(3, _entra.KeyFetches);
    }

    [Fact]
    public async Task A_provider_that_is_down_answers_503_with_retry_after_then_recovers()
    {
        var username = Unique("nina");
        await fixture.CreateUserAsync(_tenant, username);
        var oid = Guid.NewGuid().ToString();
        _entra.Down = true;
        var response = await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid)));
        await HttpAssert.Problem(response, HttpStatusCode.ServiceUnavailable, "The identity provider's metadata or signing keys cannot be fetched; retry later");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Keys already held, the provider down again, a rolled-over key: still a 503, not a 401 or a 500.
        _entra.Down = false;
        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));
        _entra.RotateKey();
        _entra.Down = true;
        await HttpAssert.Problem(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))), HttpStatusCode.ServiceUnavailable);
        // Within the minute no second refetch is tried, and the answer stays a 503.
        _entra.Down = false;
        var fetches = _entra.KeyFetches;
        var waiting = await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid)));
        await HttpAssert.Problem(waiting, HttpStatusCode.ServiceUnavailable);
        Assert.True(waiting.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(fetches, _entra.KeyFetches);
        fixture.Time.Advance(TimeSpan.FromSeconds(61));
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid))));
    }

    [Fact]
    public async Task An_oversized_key_set_answers_503_without_reading_it_whole()
    {
        var username = Unique("olga");
        await fixture.CreateUserAsync(_tenant, username);
        _entra.Oversized = true;
        await HttpAssert.Problem(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username))), HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task An_authority_that_never_answers_is_a_503_within_the_fetch_timeout()
    {
        var username = Unique("hang");
        await fixture.CreateUserAsync(_tenant, username);
        var settings = SsoFixture.LoopbackSettings();
        settings["Sso:FetchTimeoutSeconds"] = "1";
        await using var api = new Infrastructure.ApiFactory(fixture.Cluster.Client, fixture.Time, settings);
        _entra.Hanging = true;
        using var http = fixture.Client(_tenant, api: api);
        var response = await http.PostAsJsonAsync("/api/users/sso/login", new { idToken = _entra.Sign(Claims(username)) });
        await HttpAssert.Problem(response, HttpStatusCode.ServiceUnavailable, "The identity provider's metadata or signing keys cannot be fetched; retry later");
    }

    [Fact]
    public async Task Redirects_and_key_sets_on_other_hosts_are_not_followed()
    {
        var username = Unique("ssrf");
        await fixture.CreateUserAsync(_tenant, username);
        // The key set named on a host the configuration does not allow (localhost is not 127.0.0.1 here).
        _entra.KeySetHost = "localhost";
        await HttpAssert.Problem(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username))), HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, _entra.KeyFetches);

        // A redirect, even to the same server's real metadata, is not followed.
        var other = await fixture.CreateTenantAsync("redir");
        await fixture.CreateUserAsync(other, username);
        await using var second = await EntraDouble.StartAsync();
        await fixture.ConfigureSsoAsync(other, new { authority = second.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { _tid } });
        second.RedirectTo = $"{_entra.Authority}/.well-known/openid-configuration";
        _entra.KeySetHost = null;
        var metadataBefore = _entra.MetadataFetches;
        await HttpAssert.Problem(await fixture.SsoLoginAsync(other, second.Sign(second.Claims(_tid, Guid.NewGuid().ToString(), username, Now))), HttpStatusCode.ServiceUnavailable);
        Assert.Equal(metadataBefore, _entra.MetadataFetches);
    }

    [Fact]
    public async Task Tenants_are_isolated()
    {
        var username = Unique("pat");
        var inA = await fixture.CreateUserAsync(_tenant, username);
        var b = await fixture.CreateTenantAsync("ssob");
        var inB = await fixture.CreateUserAsync(b, username);
        var oid = Guid.NewGuid().ToString();
        var forA = _entra.Sign(Claims(username, oid));

        // B has no single sign-on: A's configuration opens nothing there.
        await HttpAssert.Problem(await fixture.SsoLoginAsync(b, forA), HttpStatusCode.BadRequest, "Single sign-on is not configured");

        // B with its own application: A's token is not for it.
        var clientOfB = Guid.NewGuid().ToString();
        await ConfigureAsync(autoProvision: false, tenant: b, clientId: clientOfB);
        await Refused(await fixture.SsoLoginAsync(b, forA), "ID token audience is not this tenant's client id");

        // The same person is A's user in A and B's user in B, each with its own tenant's tokens.
        var inALogin = await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, forA));
        Assert.Equal(inA.GetProperty("id").GetInt32(), inALogin.GetProperty("id").GetInt32());
        var claimsForB = Claims(username, oid);
        claimsForB["aud"] = clientOfB;
        var inBLogin = await HttpAssert.Ok(await fixture.SsoLoginAsync(b, _entra.Sign(claimsForB)));
        Assert.Equal(inB.GetProperty("id").GetInt32(), inBLogin.GetProperty("id").GetInt32());
        using var inBWithA = fixture.Client(b, inALogin.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await inBWithA.GetAsync("/api/users/me")).StatusCode);
    }

    [Fact]
    public async Task A_delegated_access_token_for_the_apps_own_api_is_refused()
    {
        var username = Unique("scp");
        await fixture.CreateUserAsync(_tenant, username);
        // Everything an ID token check looks at is right (signature, issuer, aud = client id, azp = client id, tid, lifetime): only scp tells.
        var token = _entra.Sign(_entra.DelegatedAccessTokenClaims(_tid, Guid.NewGuid().ToString(), username, Now));
        await Refused(await fixture.SsoLoginAsync(_tenant, token), "Not an ID token: it carries scp (an access token)", token);
    }

    [Fact]
    public async Task An_app_only_access_token_is_refused()
    {
        // A client-credentials token of the application itself: no scp, azp = client id, roles; idtyp tells.
        var token = _entra.Sign(_entra.AppOnlyAccessTokenClaims(_tid, Guid.NewGuid().ToString(), Now));
        await Refused(await fixture.SsoLoginAsync(_tenant, token), "Not an ID token: idtyp is app (an app-only access token)", token);
    }

    [Fact]
    public async Task A_token_that_names_another_application_as_its_client_is_refused()
    {
        var username = Unique("azp");
        await fixture.CreateUserAsync(_tenant, username);
        foreach (var claim in new[] { "azp", "appid" })
        {
            var claims = Claims(username);
            claims[claim] = Guid.NewGuid().ToString();
            var token = _entra.Sign(claims);
            await Refused(await fixture.SsoLoginAsync(_tenant, token), "Not an ID token: azp or appid is not this tenant's client id", token);
        }
    }

    [Fact]
    public async Task A_token_typed_as_an_access_token_is_refused()
    {
        var username = Unique("typ");
        await fixture.CreateUserAsync(_tenant, username);
        foreach (var typ in new[] { "at+jwt", "application/at+jwt", "JWE" })
        {
            var token = _entra.Sign(Claims(username), typ: typ);
            await Refused(await fixture.SsoLoginAsync(_tenant, token), "Not an ID token: header typ must be JWT", token);
        }
    }

    [Fact]
    public async Task Id_tokens_with_app_roles_their_own_azp_or_no_typ_are_accepted()
    {
        var username = Unique("roles");
        var user = await fixture.CreateUserAsync(_tenant, username);
        var oid = Guid.NewGuid().ToString();
        // Entra puts the person's assigned app roles in ID tokens too.
        var withRoles = Claims(username, oid);
        withRoles["roles"] = new[] { "Orders.Admin", "Orders.Read" };
        var login = await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(withRoles)));
        Assert.Equal(user.GetProperty("id").GetInt32(), login.GetProperty("id").GetInt32());

        var ownClient = Claims(username, oid);
        ownClient["azp"] = EntraDouble.ClientId;
        ownClient["appid"] = EntraDouble.ClientId;
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(ownClient)));
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(Claims(username, oid), typ: null)));
    }

    [Fact]
    public async Task A_nonce_sent_with_the_token_must_be_the_tokens_nonce()
    {
        var username = Unique("nonce");
        await fixture.CreateUserAsync(_tenant, username);
        var oid = Guid.NewGuid().ToString();
        var nonce = Guid.NewGuid().ToString("N");
        Dictionary<string, object> WithNonce(string? value)
        {
            var claims = Claims(username, oid);
            if (value is not null) claims["nonce"] = value;
            return claims;
        }

        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(WithNonce(nonce + "x")), nonce), "ID token nonce does not match");
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(WithNonce(nonce[..^1])), nonce), "ID token nonce does not match");
        await Refused(await fixture.SsoLoginAsync(_tenant, _entra.Sign(WithNonce(null)), nonce), "ID token nonce does not match");
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(WithNonce(nonce)), nonce));
        // Without a nonce in the request, the token's (if any) is not looked at.
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(WithNonce(Guid.NewGuid().ToString()))));
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, _entra.Sign(WithNonce(null))));

        using var http = fixture.Client(_tenant);
        var idToken = _entra.Sign(WithNonce(nonce));
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/sso/login", new { idToken, nonce = 5 }), HttpStatusCode.BadRequest, "Field 'nonce' must be a string");
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/sso/login", new { idToken, nonce = "" }), HttpStatusCode.BadRequest, "nonce must be 1 to 1024 characters");
        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/users/sso/login", new { idToken, nonce = new string('n', 1025) }), HttpStatusCode.BadRequest, "nonce must be 1 to 1024 characters");
    }

    [Fact]
    public async Task An_id_token_is_accepted_once_on_any_api_node()
    {
        var username = Unique("once");
        await fixture.CreateUserAsync(_tenant, username);
        var token = _entra.Sign(Claims(username));
        await HttpAssert.Ok(await fixture.SsoLoginAsync(_tenant, token));
        await Refused(await fixture.SsoLoginAsync(_tenant, token), "ID token has already been used", token);

        // Another API node of the same cluster knows it too.
        await using var other = new Infrastructure.ApiFactory(fixture.Cluster.Client, fixture.Time, SsoFixture.LoopbackSettings());
        await Refused(await fixture.SsoLoginAsync(_tenant, token, api: other), "ID token has already been used", token);
    }

    [Fact]
    public async Task Parallel_uses_of_one_id_token_let_exactly_one_in()
    {
        await ConfigureAsync(autoProvision: true);
        var token = _entra.Sign(Claims(Unique("parallel")));
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fixture.SsoLoginAsync(_tenant, token)));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.OK)) await Refused(refused, "ID token has already been used", token);
    }

    /// <summary>
    /// A request that calls the tenant's authority may make five calls (metadata, key set, token
    /// endpoint, and metadata and keys again for an unknown key), each allowed
    /// <c>Sso:FetchTimeoutSeconds</c>. Its request timeout adds that time to the default one, so
    /// a slow authority meets its own deadline (the SSO's 503 with Retry-After) and not the request's.
    /// Read from the endpoints' request-timeout policies, as the request-timeout middleware reads them.
    /// </summary>
    [Fact]
    public async Task Endpoints_that_call_the_authority_allow_each_call_its_fetch_timeout_on_top_of_the_request_timeout()
    {
        var settings = new Dictionary<string, string?>(SsoFixture.LoopbackSettings()) { ["Sso:FetchTimeoutSeconds"] = "60" };
        await using var api = new ApiFactory(fixture.Cluster.Client, fixture.Time, settings);
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var timeouts = api.Services.GetRequiredService<IOptions<RequestTimeoutOptions>>().Value;
        TimeSpan Deadline(string name)
        {
            var endpoint = endpoints.Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name);
            var policy = endpoint.Metadata.GetMetadata<RequestTimeoutAttribute>() is { PolicyName: { } policyName }
                ? timeouts.Policies[policyName]
                : timeouts.DefaultPolicy!;
            Assert.Equal(StatusCodes.Status503ServiceUnavailable, policy.TimeoutStatusCode);
            return policy.Timeout!.Value;
        }

        var ordinary = TimeSpan.FromSeconds(10 + 5);   // Orleans:ResponseTimeoutSeconds (10) + 5 s
        Assert.Equal(ordinary, Deadline("Login"));
        foreach (var name in new[] { "SsoLogin", "MicrosoftSignIn", "MicrosoftSignInCallback" })
            Assert.Equal(ordinary + TimeSpan.FromSeconds(5 * 60), Deadline(name));
    }
}
