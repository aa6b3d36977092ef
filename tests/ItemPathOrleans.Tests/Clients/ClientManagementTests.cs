using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Clients;

/// <summary>
/// The client management API as a tenant admin uses it: registration with its defaults and
/// rules, the list from the client directory, changes, deletion, secrets shown once, and tenants
/// kept apart.
/// </summary>
[Collection(ClientsCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class ClientManagementTests(ClientsFixture fixture)
{
    [Fact]
    public async Task A_confidential_client_gets_a_generated_id_the_defaults_and_its_secret_once()
    {
        var created = await fixture.RegisterAsync(fixture.Tenant, new { name = "nightly export" });

        var id = created.GetProperty("clientId").GetString()!;
        Assert.Matches("^[A-Za-z0-9._~-]{1,128}$", id);
        Assert.Equal("confidential", created.GetProperty("type").GetString());
        Assert.Equal(["client_credentials"], created.GetProperty("grantTypes").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("client_secret_basic", created.GetProperty("tokenEndpointAuthMethod").GetString());
        var secret = created.GetProperty("clientSecret").GetString()!;
        // 256 bits of Base64url.
        Assert.Equal(43, secret.Length);
        var listed = Assert.Single(created.GetProperty("secrets").EnumerateArray());

        using var admin = fixture.Admin(fixture.Tenant);
        var read = await HttpAssert.Ok(await admin.GetAsync($"/api/clients/{id}"));
        Assert.False(read.TryGetProperty("clientSecret", out _));
        Assert.DoesNotContain(secret, read.GetRawText());
        Assert.Equal(listed.GetProperty("id").GetString(), Assert.Single(read.GetProperty("secrets").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_given_id_is_unique_in_its_tenant_but_not_across_tenants()
    {
        var id = ServiceFixture.UniqueName("dup");
        await fixture.RegisterAsync(fixture.Tenant, new { clientId = id, name = "first" });

        using var admin = fixture.Admin(fixture.Tenant);
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/clients", new { clientId = id, name = "second" }), HttpStatusCode.Conflict, "Client already exists");
        // Another tenant has its own clients: the same id is free there, and this one is not visible.
        await fixture.RegisterAsync(fixture.OtherTenant, new { clientId = id, name = "theirs" });
        using var other = fixture.Admin(fixture.OtherTenant);
        Assert.Equal("theirs", (await HttpAssert.Ok(await other.GetAsync($"/api/clients/{id}"))).GetProperty("name").GetString());
        Assert.Equal("first", (await HttpAssert.Ok(await admin.GetAsync($"/api/clients/{id}"))).GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_list_pages_the_tenants_clients_with_their_total()
    {
        using var admin = fixture.Admin(fixture.OtherTenant);
        var before = (await HttpAssert.Ok(await admin.GetAsync("/api/clients?limit=1000"))).GetProperty("total").GetInt64();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await fixture.RegisterAsync(fixture.OtherTenant, new { name = $"paged {i}" })).GetProperty("clientId").GetString()!);

        var all = await HttpAssert.Ok(await admin.GetAsync("/api/clients?limit=1000"));
        Assert.Equal(before + 3, all.GetProperty("total").GetInt64());
        var listed = all.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("clientId").GetString()).ToList();
        Assert.All(ids, id => Assert.Contains(id, listed));
        Assert.All(all.GetProperty("clients").EnumerateArray(), c => Assert.False(c.TryGetProperty("clientSecret", out _)));

        var page = await HttpAssert.Ok(await admin.GetAsync($"/api/clients?limit=1&page={before + 1}"));
        Assert.Equal(ids[1], Assert.Single(page.GetProperty("clients").EnumerateArray()).GetProperty("clientId").GetString());
        await HttpAssert.Problem(await admin.GetAsync("/api/clients?limit=0"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Post_and_patch_change_the_fields_given_and_a_null_removes_an_optional_one()
    {
        var id = (await fixture.RegisterAsync(fixture.Tenant, new { name = "changing", accessTokenLifetimeSeconds = 600, rateLimitPerMinute = 10 })).GetProperty("clientId").GetString()!;
        using var admin = fixture.Admin(fixture.Tenant);

        var posted = await HttpAssert.Ok(await admin.PostAsJsonAsync($"/api/clients/{id}", new { name = "renamed", allowedScopes = new[] { "stations:read" } }));
        Assert.Equal("renamed", posted.GetProperty("name").GetString());
        Assert.Equal(600, posted.GetProperty("accessTokenLifetimeSeconds").GetInt32());

        var patched = await HttpAssert.Ok(await admin.PatchAsync($"/api/clients/{id}", JsonContent.Create(new { rateLimitPerMinute = (int?)null })));
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("rateLimitPerMinute").ValueKind);
        Assert.Equal("renamed", patched.GetProperty("name").GetString());
        Assert.Equal(["stations:read"], patched.GetProperty("allowedScopes").EnumerateArray().Select(s => s.GetString()));
        await HttpAssert.Problem(await admin.PatchAsync("/api/clients/no-such-client", JsonContent.Create(new { name = "x" })), HttpStatusCode.NotFound, "Client not found");
    }

    [Fact]
    public async Task Secrets_are_added_for_rollover_shown_once_and_deleted()
    {
        var (id, first) = await fixture.SecretClientAsync();
        using var admin = fixture.Admin(fixture.Tenant);

        var added = await HttpAssert.Ok(await admin.PostAsync($"/api/clients/{id}/secrets", null), HttpStatusCode.Created);
        var second = added.GetProperty("clientSecret").GetString()!;
        Assert.NotEqual(first, second);
        Assert.True(added.TryGetProperty("createdAt", out _));
        var secrets = (await HttpAssert.Ok(await admin.GetAsync($"/api/clients/{id}"))).GetProperty("secrets").EnumerateArray().ToList();
        Assert.Equal(2, secrets.Count);
        Assert.All(secrets, s => Assert.Equal(["createdAt", "id"], s.EnumerateObject().Select(p => p.Name).Order()));

        // Both work during the rollover; the deleted one no longer does.
        Assert.Equal(HttpStatusCode.OK, (await TokenWithSecretAsync(id, first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenWithSecretAsync(id, second)).StatusCode);
        var firstId = secrets.Select(s => s.GetProperty("id").GetString()).First(s => s != added.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/clients/{id}/secrets/{firstId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenWithSecretAsync(id, first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenWithSecretAsync(id, second)).StatusCode);
        await HttpAssert.Problem(await admin.DeleteAsync($"/api/clients/{id}/secrets/{firstId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_deleted_client_is_gone_from_reads_and_lists()
    {
        var id = (await fixture.RegisterAsync(fixture.Tenant, new { name = "short-lived" })).GetProperty("clientId").GetString()!;
        using var admin = fixture.Admin(fixture.Tenant);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/clients/{id}")).StatusCode);
        await HttpAssert.Problem(await admin.GetAsync($"/api/clients/{id}"), HttpStatusCode.NotFound, "Client not found");
        await HttpAssert.Problem(await admin.DeleteAsync($"/api/clients/{id}"), HttpStatusCode.NotFound);
        var list = await HttpAssert.Ok(await admin.GetAsync("/api/clients?limit=1000"));
        Assert.DoesNotContain(id, list.GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("clientId").GetString()));
    }

    public static TheoryData<string, string> Refused => new()
    {
        { """{"name":"p","type":"public","tokenEndpointAuthMethod":"client_secret_basic"}""", "tokenEndpointAuthMethod of a public client must be none" },
        { """{"name":"p","type":"public","grantTypes":["client_credentials"]}""", "grantTypes of a public client may only be authorization_code and refresh_token" },
        { """{"name":"c","tokenEndpointAuthMethod":"none"}""", "tokenEndpointAuthMethod of a confidential client must be client_secret_basic, client_secret_post or private_key_jwt" },
        { """{"name":"c","grantTypes":["implicit"]}""", "grantTypes must list distinct values among client_credentials, authorization_code, refresh_token, password" },
        { """{"name":"c","grantTypes":["authorization_code"],"redirectUris":["http://app.example.com/cb"]}""", "redirectUris may use http only for loopback hosts" },
        { """{"name":"c","grantTypes":["authorization_code"],"redirectUris":["https://app.example.com/cb#x"]}""", "redirectUris must be absolute URIs of at most 2048 characters, without fragment" },
        { """{"name":"c","grantTypes":["authorization_code"],"redirectUris":["/cb"]}""", "redirectUris must be absolute URIs of at most 2048 characters, without fragment" },
        { """{"name":"c","allowedScopes":["billing:write"]}""", "allowedScopes must be scopes of the tenant (apiScopes) or openid, profile, email, offline_access" },
        { """{"name":"c","tokenEndpointAuthMethod":"private_key_jwt"}""", "jwks is required for private_key_jwt" },
        { """{"name":"c","tokenEndpointAuthMethod":"private_key_jwt","jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}}""", "jwks must hold public keys only (no private key members)" },
        { """{"name":"c","accessTokenLifetimeSeconds":5}""", "accessTokenLifetimeSeconds must be between 60 and 86400" },
        { """{"name":"c","clientId":"has/slash"}""", "clientId must match ^[A-Za-z0-9._~-]{1,128}$" },
        { """{"clientId":"nameless"}""", "Missing field: name" },
        { """{"name":"c","grantTypes":"client_credentials"}""", "Field 'grantTypes' must be an array of strings" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_registration_that_breaks_a_rule_is_refused_naming_it(string body, string msg)
    {
        using var admin = fixture.Admin(fixture.Tenant);
        await HttpAssert.Problem(await admin.PostAsync("/api/clients", new StringContent(body, System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, msg);
    }

    [Fact]
    public async Task A_jwks_with_a_private_rsa_key_is_refused()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var p = rsa.ExportParameters(true);
        static string B(byte[] b) => System.Buffers.Text.Base64Url.EncodeToString(b);
        var jwk = new { kty = "RSA", n = B(p.Modulus!), e = B(p.Exponent!), d = B(p.D!), p = B(p.P!), q = B(p.Q!) };
        using var admin = fixture.Admin(fixture.Tenant);
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/clients", new { name = "leaky", tokenEndpointAuthMethod = "private_key_jwt", jwks = new { keys = new[] { jwk } } }),
            HttpStatusCode.BadRequest, "jwks must hold public keys only (no private key members)");
    }

    [Fact]
    public async Task Only_tenant_admins_manage_clients_and_client_tokens_are_no_user_tokens()
    {
        using var user = ClientsFixture.Http(fixture.NodeA, fixture.Tenant, await fixture.UserAccessTokenAsync(fixture.Tenant));
        await HttpAssert.Problem(await user.GetAsync("/api/clients"), HttpStatusCode.Forbidden, "Admin rights required");

        var (id, secret) = await fixture.SecretClientAsync();
        var token = (await ClientTokenAsync(id, secret)).GetProperty("access_token").GetString()!;
        using var asClient = ClientsFixture.Http(fixture.NodeA, fixture.Tenant, token);
        await HttpAssert.Problem(await asClient.GetAsync("/api/clients"), HttpStatusCode.Forbidden, "User token required");
    }

    private async Task<HttpResponseMessage> TokenWithSecretAsync(string id, string secret)
    {
        using var http = ClientsFixture.Http(fixture.NodeA);
        using var request = new HttpRequestMessage(HttpMethod.Post, ClientsFixture.TokenEndpoint(fixture.Tenant))
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{id}:{secret}")));
        return await http.SendAsync(request);
    }

    private async Task<JsonElement> ClientTokenAsync(string id, string secret) => await HttpAssert.Ok(await TokenWithSecretAsync(id, secret));
}
