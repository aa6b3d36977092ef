using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ItemPathOrleans.Tests.Clients;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// What an attacker, or a client that got something wrong, sees: every failed client
/// authentication is the same 401 <c>invalid_client</c>; assertions are single-use, short-lived
/// and addressed to this tenant; scopes, grants and rates are held to the registration; a disabled,
/// deleted or re-created client's earlier tokens stop on every node; client tokens are no user tokens.
/// </summary>
[Collection(ClientsCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class ClientAuthenticationRefusalTests(ClientsFixture fixture)
{
    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private string Tenant => fixture.Tenant;

    private static KeyValuePair<string, string> P(string name, string value) => new(name, value);

    private Task<HttpResponseMessage> TokenAsync(IEnumerable<KeyValuePair<string, string>> form, string? basic = null, ApiFactory? node = null, string? tenant = null)
    {
        var http = ClientsFixture.Http(node ?? fixture.NodeA);
        var request = new HttpRequestMessage(HttpMethod.Post, ClientsFixture.TokenEndpoint(tenant ?? Tenant)) { Content = new FormUrlEncodedContent(form) };
        if (basic is not null) request.Headers.Authorization = new("Basic", basic);
        return http.SendAsync(request);
    }

    private static string Basic(string id, string secret) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}"));

    private Task<HttpResponseMessage> BasicTokenAsync(string id, string secret, string? scope = null, ApiFactory? node = null, string? tenant = null) =>
        TokenAsync(scope is null ? [P("grant_type", "client_credentials")] : [P("grant_type", "client_credentials"), P("scope", scope)], Basic(id, secret), node, tenant);

    private Task<HttpResponseMessage> AssertionTokenAsync(string assertion) =>
        TokenAsync([P("grant_type", "client_credentials"), P("client_assertion_type", AssertionType), P("client_assertion", assertion)]);

    private async Task<string> ClientTokenAsync(string id, string secret, ApiFactory? node = null) =>
        (await HttpAssert.Ok(await BasicTokenAsync(id, secret, node: node))).GetProperty("access_token").GetString()!;

    private static async Task InvalidClientAsync(HttpResponseMessage response, bool basicChallenge = false)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"error":"invalid_client"}""", await response.Content.ReadAsStringAsync());
        if (basicChallenge) Assert.StartsWith("Basic realm=\"", response.Headers.WwwAuthenticate.ToString());
    }

    private async Task<string> KeyClientAsync(ClientKeys keys)
    {
        var id = ServiceFixture.UniqueName("jwt");
        await fixture.RegisterAsync(Tenant, new { clientId = id, name = "signed", tokenEndpointAuthMethod = "private_key_jwt", jwks = keys.Jwks });
        return id;
    }

    [Fact]
    public async Task A_wrong_secret_another_clients_secret_and_an_unknown_client_get_the_same_answer()
    {
        var (id, secret) = await fixture.SecretClientAsync();
        var (_, otherSecret) = await fixture.SecretClientAsync();

        await InvalidClientAsync(await BasicTokenAsync(id, secret + "x"), basicChallenge: true);
        await InvalidClientAsync(await BasicTokenAsync(id, otherSecret), basicChallenge: true);
        await InvalidClientAsync(await BasicTokenAsync("no-such-client", secret), basicChallenge: true);
        // Basic as RFC 6749 §2.3.1 has it: a secret with reserved characters is form-url-encoded first.
        await InvalidClientAsync(await TokenAsync([P("grant_type", "client_credentials")], "not base64!"), basicChallenge: true);
        await InvalidClientAsync(await TokenAsync([P("grant_type", "client_credentials"), P("client_id", id), P("client_secret", secret + "x")]));
    }

    [Fact]
    public async Task A_client_authenticates_only_with_its_registered_method_and_its_own_id()
    {
        var (basicId, basicSecret) = await fixture.SecretClientAsync("client_secret_basic");
        var (postId, postSecret) = await fixture.SecretClientAsync("client_secret_post");

        await InvalidClientAsync(await TokenAsync([P("grant_type", "client_credentials"), P("client_id", basicId), P("client_secret", basicSecret)]));
        await InvalidClientAsync(await BasicTokenAsync(postId, postSecret), basicChallenge: true);
        // Basic for one client with another's client_id in the form.
        await InvalidClientAsync(await TokenAsync([P("grant_type", "client_credentials"), P("client_id", postId)], Basic(basicId, basicSecret)), basicChallenge: true);
        // Two methods at once (RFC 6749 §2.3).
        await OAuthAssert.Error(await TokenAsync([P("grant_type", "client_credentials"), P("client_id", basicId), P("client_secret", basicSecret)], Basic(basicId, basicSecret)),
            HttpStatusCode.BadRequest, "invalid_request", "Use one client authentication method");
        // No client at all.
        await InvalidClientAsync(await TokenAsync([P("grant_type", "client_credentials")]));
    }

    [Fact]
    public async Task An_expired_a_foreign_or_a_wrongly_signed_assertion_is_refused()
    {
        using var keys = ClientKeys.Rsa();
        using var stranger = ClientKeys.Rsa();
        var id = await KeyClientAsync(keys);
        var audience = ClientsFixture.TokenEndpoint(Tenant);

        await InvalidClientAsync(await AssertionTokenAsync(keys.Assertion(id, audience, issuedAt: DateTime.UtcNow.AddMinutes(-10), expires: DateTime.UtcNow.AddMinutes(-2))));
        await InvalidClientAsync(await AssertionTokenAsync(keys.Assertion(id, audience, expires: DateTime.UtcNow.AddMinutes(30))));
        await InvalidClientAsync(await AssertionTokenAsync(keys.Assertion(id, ClientsFixture.TokenEndpoint(fixture.OtherTenant))));
        await InvalidClientAsync(await AssertionTokenAsync(keys.Assertion(id, "https://elsewhere.example/token")));
        await InvalidClientAsync(await AssertionTokenAsync(stranger.Assertion(id, audience)));
        Assert.Equal(HttpStatusCode.OK, (await AssertionTokenAsync(keys.Assertion(id, audience))).StatusCode);
    }

    [Fact]
    public async Task An_assertion_is_accepted_once_even_when_replayed_in_parallel()
    {
        using var keys = ClientKeys.Ec();
        var id = await KeyClientAsync(keys);
        var assertion = keys.Assertion(id, ClientsFixture.TokenEndpoint(Tenant));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AssertionTokenAsync(assertion)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        await InvalidClientAsync(await AssertionTokenAsync(assertion));
    }

    [Fact]
    public async Task A_scope_the_client_may_not_have_or_the_tenant_does_not_know_is_invalid_scope()
    {
        var (id, secret) = await fixture.SecretClientAsync(scopes: ["stations:read"]);

        await OAuthAssert.Error(await BasicTokenAsync(id, secret, "stations:write"), HttpStatusCode.BadRequest, "invalid_scope");
        await OAuthAssert.Error(await BasicTokenAsync(id, secret, "stations:read billing:admin"), HttpStatusCode.BadRequest, "invalid_scope");
        // Without a client, an unknown scope on the password grant too.
        using var anonymous = ClientsFixture.Http(fixture.NodeA);
        await OAuthAssert.Error(await anonymous.PostAsync(ClientsFixture.TokenEndpoint(Tenant), new FormUrlEncodedContent(
            [P("grant_type", "password"), P("username", "boss"), P("password", ClientsFixture.AdminPassword), P("scope", "billing:admin")])),
            HttpStatusCode.BadRequest, "invalid_scope");
    }

    [Fact]
    public async Task A_grant_outside_the_clients_grant_types_is_unauthorized_client()
    {
        var (id, secret) = await fixture.SecretClientAsync(more: new { grantTypes = new[] { "password" } });
        await OAuthAssert.Error(await BasicTokenAsync(id, secret), HttpStatusCode.BadRequest, "unauthorized_client");
        // Its own grant works, its session named after it.
        var password = await TokenAsync([P("grant_type", "password"), P("username", "boss"), P("password", ClientsFixture.AdminPassword)], Basic(id, secret));
        Assert.False((await HttpAssert.Ok(password)).TryGetProperty("scope", out _));
    }

    [Fact]
    public async Task Past_its_rate_limit_a_client_waits_with_Retry_After()
    {
        var (id, secret) = await fixture.SecretClientAsync(more: new { rateLimitPerMinute = 2 });
        Assert.Equal(HttpStatusCode.OK, (await BasicTokenAsync(id, secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await BasicTokenAsync(id, secret)).StatusCode);

        var over = await BasicTokenAsync(id, secret);

        await OAuthAssert.Error(over, HttpStatusCode.TooManyRequests, "temporarily_unavailable");
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
    }

    [Fact]
    public async Task A_client_of_another_tenant_is_unknown_here_and_so_are_its_tokens()
    {
        var (id, secret) = await fixture.SecretClientAsync(tenant: fixture.OtherTenant, scopes: []);
        var token = (await HttpAssert.Ok(await BasicTokenAsync(id, secret, tenant: fixture.OtherTenant))).GetProperty("access_token").GetString()!;

        await InvalidClientAsync(await BasicTokenAsync(id, secret), basicChallenge: true);
        using var here = ClientsFixture.Http(fixture.NodeA, Tenant, token);
        // Validated with this tenant's key ring only: its signature does not verify here.
        await HttpAssert.InvalidToken(await here.GetAsync("/api/auth/verify"), "Signature verification failed");
    }

    [Fact]
    public async Task Client_tokens_are_refused_by_every_endpoint_that_needs_a_user()
    {
        var (id, secret) = await fixture.SecretClientAsync();
        var token = await ClientTokenAsync(id, secret);
        using var http = ClientsFixture.Http(fixture.NodeA, Tenant, token);

        foreach (var (method, path) in new[] { ("GET", "/api/users/me"), ("GET", "/api/users"), ("GET", $"/api/tenants/{Tenant}"), ("POST", "/api/users/refresh"), ("POST", "/api/users/logout"), ("GET", "/api/clients") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.Forbidden, "User token required");
        }
        // Nor is it a refresh token, nor may it introspect as an application token would.
        await OAuthAssert.Error(await TokenAsync([P("grant_type", "refresh_token"), P("refresh_token", token)]), HttpStatusCode.BadRequest, "invalid_grant");
        var introspect = await http.PostAsync(ClientsFixture.IntrospectionEndpoint(Tenant), new FormUrlEncodedContent([P("token", token)]));
        Assert.Equal(HttpStatusCode.Unauthorized, introspect.StatusCode);
    }

    [Fact]
    public async Task Disabling_a_client_through_one_node_stops_its_tokens_on_the_other_within_the_latency()
    {
        var (id, secret) = await fixture.SecretClientAsync();
        var token = await ClientTokenAsync(id, secret);
        using var atB = ClientsFixture.Http(fixture.NodeB, Tenant, token);
        Assert.Equal(HttpStatusCode.OK, (await atB.GetAsync("/api/auth/verify")).StatusCode);

        using (var admin = fixture.Admin(Tenant))
            Assert.True((await HttpAssert.Ok(await admin.PatchAsync($"/api/clients/{id}", JsonContent.Create(new { disabled = true })))).GetProperty("disabled").GetBoolean());
        var since = Stopwatch.StartNew();

        // Node A forgot its answer with the change; node B's lasts one revocation interval at most.
        using (var atA = ClientsFixture.Http(fixture.NodeA, Tenant, token))
            await HttpAssert.InvalidToken(await atA.GetAsync("/api/auth/verify"), "Token has been revoked");
        await ClientsFixture.UntilAsync(async () => (await atB.GetAsync("/api/auth/verify")).StatusCode == HttpStatusCode.Unauthorized, "node B refusing the disabled client's token");
        Assert.True(since.Elapsed < TimeSpan.FromSeconds(ClientsFixture.LatencySeconds) + TimeSpan.FromSeconds(1.5), $"refused after {since.Elapsed}");
        await InvalidClientAsync(await BasicTokenAsync(id, secret), basicChallenge: true);

        // Enabled again: new tokens work, the ones issued before the disabling stay dead.
        using (var admin = fixture.Admin(Tenant))
            await HttpAssert.Ok(await admin.PatchAsync($"/api/clients/{id}", JsonContent.Create(new { disabled = false })));
        var fresh = await ClientTokenAsync(id, secret);
        using (var atA = ClientsFixture.Http(fixture.NodeA, Tenant, fresh))
            Assert.Equal(HttpStatusCode.OK, (await atA.GetAsync("/api/auth/verify")).StatusCode);
        using (var atA = ClientsFixture.Http(fixture.NodeA, Tenant, token))
            await HttpAssert.InvalidToken(await atA.GetAsync("/api/auth/verify"), "Token has been revoked");
    }

    [Fact]
    public async Task A_client_deleted_and_created_again_under_its_id_does_not_revive_its_old_tokens()
    {
        var (id, secret) = await fixture.SecretClientAsync();
        var old = await ClientTokenAsync(id, secret);
        using (var admin = fixture.Admin(Tenant))
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/clients/{id}")).StatusCode);
        await InvalidClientAsync(await BasicTokenAsync(id, secret), basicChallenge: true);

        var again = await fixture.RegisterAsync(Tenant, new { clientId = id, name = "reborn", allowedScopes = ClientsFixture.ApiScopes });
        var newSecret = again.GetProperty("clientSecret").GetString()!;
        // The old secret went with the old client.
        await InvalidClientAsync(await BasicTokenAsync(id, secret), basicChallenge: true);
        var fresh = await ClientTokenAsync(id, newSecret);

        foreach (var node in new[] { fixture.NodeA, fixture.NodeB })
        {
            using var oldHttp = ClientsFixture.Http(node, Tenant, old);
            await ClientsFixture.UntilAsync(async () => (await oldHttp.GetAsync("/api/auth/verify")).StatusCode == HttpStatusCode.Unauthorized, "the old token refused");
            using var freshHttp = ClientsFixture.Http(node, Tenant, fresh);
            Assert.Equal(HttpStatusCode.OK, (await freshHttp.GetAsync("/api/auth/verify")).StatusCode);
        }
    }

    [Fact]
    public async Task With_oauthPasswordGrant_off_the_password_grant_needs_a_client_and_ItemPath_login_is_unaffected()
    {
        var tenant = fixture.OtherTenant;
        using var admin = fixture.Admin(tenant);
        var settings = (await HttpAssert.Ok(await admin.GetAsync($"/api/tenants/{tenant}"))).GetProperty("settings");
        Assert.True(settings.GetProperty("oauthPasswordGrant").GetBoolean());
        await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { oauthPasswordGrant = false })));
        try
        {
            using var anonymous = ClientsFixture.Http(fixture.NodeA, tenant);
            KeyValuePair<string, string>[] form = [P("grant_type", "password"), P("username", "boss"), P("password", ClientsFixture.AdminPassword)];
            await OAuthAssert.Error(await anonymous.PostAsync(ClientsFixture.TokenEndpoint(tenant), new FormUrlEncodedContent(form)), HttpStatusCode.BadRequest, "unauthorized_client");
            Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/users/login", new { username = "boss", password = ClientsFixture.AdminPassword })).StatusCode);
            var (id, secret) = await fixture.SecretClientAsync(tenant: tenant, scopes: [], more: new { grantTypes = new[] { "password" } });
            Assert.Equal(HttpStatusCode.OK, (await TokenAsync(form, Basic(id, secret), tenant: tenant)).StatusCode);
        }
        finally
        {
            await HttpAssert.Ok(await admin.PatchAsync($"/api/tenants/{tenant}", JsonContent.Create(new { oauthPasswordGrant = true })));
        }
    }
}
