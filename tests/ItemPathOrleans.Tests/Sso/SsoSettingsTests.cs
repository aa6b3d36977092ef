using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>The <c>sso</c> tenant setting: validated field by field, hosts confined by configuration, removable.</summary>
[Collection(SsoCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class SsoSettingsTests(SsoFixture fixture)
{
    private static readonly string EntraTenant = Guid.NewGuid().ToString();

    private const string EntraAuthority = "https://login.microsoftonline.com/organizations/v2.0";

    private static Dictionary<string, object?> Valid(string authority = "https://127.0.0.1/organizations/v2.0") => new()
    {
        ["authority"] = authority,
        ["clientId"] = EntraDouble.ClientId,
        ["entraTenantIds"] = new[] { EntraTenant },
    };

    private async Task<HttpResponseMessage> PatchAsync(string tenant, object? sso, ApiFactory? api = null)
    {
        using var http = fixture.Client(token: fixture.OperatorToken, api: api);
        return await http.PatchAsJsonAsync($"/api/tenants/{tenant}", new Dictionary<string, object?> { ["sso"] = sso });
    }

    [Fact]
    public async Task An_entra_authority_is_stored_in_canonical_form_with_defaults()
    {
        var tenant = await fixture.CreateTenantAsync("cfg");
        var sso = Valid("https://127.0.0.1/organizations/v2.0/");
        sso["entraTenantIds"] = new[] { EntraTenant.ToUpperInvariant(), EntraTenant };
        var saved = (await HttpAssert.Ok(await PatchAsync(tenant, sso))).GetProperty("settings").GetProperty("sso");
        Assert.Equal("https://127.0.0.1/organizations/v2.0", saved.GetProperty("authority").GetString());
        Assert.Equal(EntraDouble.ClientId, saved.GetProperty("clientId").GetString());
        Assert.Equal([EntraTenant], saved.GetProperty("entraTenantIds").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("preferred_username", saved.GetProperty("usernameClaim").GetString());
        Assert.False(saved.GetProperty("autoProvision").GetBoolean());

        // A tenant's own admin manages it too.
        using var admin = fixture.Client(tenant, await fixture.TenantAdminTokenAsync(tenant));
        var changed = await HttpAssert.Ok(await admin.PatchAsJsonAsync($"/api/tenants/{tenant}", new { sso = new { authority = "https://127.0.0.1/organizations/v2.0", clientId = "app-1", entraTenantIds = new[] { EntraTenant }, usernameClaim = "email", autoProvision = true } }));
        Assert.Equal("email", changed.GetProperty("settings").GetProperty("sso").GetProperty("usernameClaim").GetString());
        Assert.True(changed.GetProperty("settings").GetProperty("sso").GetProperty("autoProvision").GetBoolean());
    }

    [Theory]
    [InlineData("authority", "https://evil.example/organizations/v2.0", "sso.authority must be an https URL on an allowed host (127.0.0.1)")]
    [InlineData("authority", "ftp://127.0.0.1/x", "sso.authority must be an absolute https URL of at most 512 characters, without query or fragment")]
    [InlineData("authority", "https://127.0.0.1/x?next=http://evil.example", "sso.authority must be an absolute https URL of at most 512 characters, without query or fragment")]
    [InlineData("authority", "https://user:pw@127.0.0.1/x", "sso.authority must be an absolute https URL of at most 512 characters, without query or fragment")]
    [InlineData("authority", "organizations", "sso.authority must be an absolute https URL of at most 512 characters, without query or fragment")]
    [InlineData("clientId", "", "sso.clientId must be 1 to 256 printable characters without spaces")]
    [InlineData("clientId", "two words", "sso.clientId must be 1 to 256 printable characters without spaces")]
    [InlineData("usernameClaim", "", "sso.usernameClaim must be a claim name of 1 to 64 letters, digits, '_', '.', ':' or '-'")]
    [InlineData("usernameClaim", "a b", "sso.usernameClaim must be a claim name of 1 to 64 letters, digits, '_', '.', ':' or '-'")]
    public async Task A_bad_field_is_a_400_naming_it_and_nothing_is_stored(string field, string value, string msg)
    {
        var tenant = await fixture.CreateTenantAsync("bad");
        // Through an API whose only allowed host is 127.0.0.1, over https.
        await using var strict = new ApiFactory(fixture.Cluster.Client, settings: new Dictionary<string, string?> { ["Sso:AllowedAuthorityHosts:0"] = "127.0.0.1" });
        var sso = Valid("https://127.0.0.1/organizations/v2.0");
        sso[field] = value;
        await HttpAssert.Problem(await PatchAsync(tenant, sso, strict), HttpStatusCode.BadRequest, msg);

        using var http = fixture.Client(token: fixture.OperatorToken);
        var stored = await HttpAssert.Ok(await http.GetAsync($"/api/tenants/{tenant}"));
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("settings").GetProperty("sso").ValueKind);
    }

    [Fact]
    public async Task Wrong_shapes_are_400s_naming_the_field()
    {
        var tenant = await fixture.CreateTenantAsync("shape");
        await HttpAssert.Problem(await PatchAsync(tenant, 5), HttpStatusCode.BadRequest, "Field 'sso' must be an object or null");
        var noClient = Valid();
        noClient.Remove("clientId");
        await HttpAssert.Problem(await PatchAsync(tenant, noClient), HttpStatusCode.BadRequest, "Field 'sso.clientId' must be a string");
        var notGuids = Valid();
        notGuids["entraTenantIds"] = new[] { "contoso.onmicrosoft.com" };
        await HttpAssert.Problem(await PatchAsync(tenant, notGuids), HttpStatusCode.BadRequest, "sso.entraTenantIds must list Entra tenant ids (GUIDs)");
        var none = Valid();
        none["entraTenantIds"] = Array.Empty<string>();
        await HttpAssert.Problem(await PatchAsync(tenant, none), HttpStatusCode.BadRequest, "sso.entraTenantIds must list 1 to 100 Entra tenant ids (GUIDs)");
        var flag = Valid();
        flag["autoProvision"] = "yes";
        await HttpAssert.Problem(await PatchAsync(tenant, flag), HttpStatusCode.BadRequest, "Field 'sso.autoProvision' must be a boolean");
    }

    [Fact]
    public async Task Plain_http_authorities_need_the_configuration_to_allow_them()
    {
        var tenant = await fixture.CreateTenantAsync("http");
        await using var strict = new ApiFactory(fixture.Cluster.Client, settings: new Dictionary<string, string?> { ["Sso:AllowedAuthorityHosts:0"] = "127.0.0.1" });
        await HttpAssert.Problem(await PatchAsync(tenant, Valid("http://127.0.0.1:9/organizations/v2.0"), strict), HttpStatusCode.BadRequest,
            "sso.authority must be an https URL on an allowed host (127.0.0.1)");
        // The default allows Entra's public cloud only.
        await using var defaults = new ApiFactory(fixture.Cluster.Client);
        await HttpAssert.Problem(await PatchAsync(tenant, Valid("https://127.0.0.1/organizations/v2.0"), defaults), HttpStatusCode.BadRequest,
            "sso.authority must be an https URL on an allowed host (login.microsoftonline.com)");
        var saved = await HttpAssert.Ok(await PatchAsync(tenant, Valid(EntraAuthority), defaults));
        Assert.Equal(EntraAuthority, saved.GetProperty("settings").GetProperty("sso").GetProperty("authority").GetString());
    }

    [Fact]
    public async Task Sso_null_removes_single_sign_on()
    {
        var tenant = await fixture.CreateTenantAsync("off");
        await HttpAssert.Ok(await PatchAsync(tenant, Valid()));
        var removed = await HttpAssert.Ok(await PatchAsync(tenant, null));
        Assert.Equal(JsonValueKind.Null, removed.GetProperty("settings").GetProperty("sso").ValueKind);

        using var http = fixture.Client(tenant);
        Assert.False((await HttpAssert.Ok(await http.GetAsync("/api/users/sso"))).GetProperty("enabled").GetBoolean());
        await HttpAssert.Problem(await fixture.SsoLoginAsync(tenant, "a.b.c"), HttpStatusCode.BadRequest, "Single sign-on is not configured");
    }

    [Fact]
    public async Task The_client_secret_is_write_only_kept_while_the_client_id_stays_and_removed_with_null()
    {
        var tenant = await fixture.CreateTenantAsync("secret");
        const string secret = "Zz9~write.Only_secret-0123456789abcdefgh";
        var sso = Valid();
        sso["clientSecret"] = secret;
        var response = await PatchAsync(tenant, sso);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
        var saved = (await HttpAssert.Ok(response)).GetProperty("settings").GetProperty("sso");
        Assert.True(saved.GetProperty("clientSecretSet").GetBoolean());
        // Neither the secret nor anything standing for it: no sealed form either.
        Assert.Equal(["authority", "autoProvision", "clientId", "clientSecretSet", "entraTenantIds", "usernameClaim"],
            saved.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        async Task<JsonElement> StoredAsync(ApiFactory? api = null)
        {
            using var http = fixture.Client(token: fixture.OperatorToken, api: api);
            var answer = await http.GetAsync($"/api/tenants/{tenant}");
            Assert.DoesNotContain(secret, await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            return (await HttpAssert.Ok(answer)).GetProperty("settings").GetProperty("sso");
        }
        Assert.True((await StoredAsync()).GetProperty("clientSecretSet").GetBoolean());
        using (var list = fixture.Client(token: fixture.OperatorToken))
            Assert.DoesNotContain(secret, await (await list.GetAsync("/api/tenants?limit=1000")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var anonymous = fixture.Client(tenant))
            Assert.DoesNotContain(secret, await (await anonymous.GetAsync("/api/users/sso")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Left out with the same client id (an edit of the other fields): kept.
        var edited = Valid();
        edited["autoProvision"] = true;
        Assert.True((await HttpAssert.Ok(await PatchAsync(tenant, edited))).GetProperty("settings").GetProperty("sso").GetProperty("clientSecretSet").GetBoolean());
        // Another application: the secret was the old one's, so it goes.
        var other = Valid();
        other["clientId"] = "another-app";
        Assert.False((await HttpAssert.Ok(await PatchAsync(tenant, other))).GetProperty("settings").GetProperty("sso").GetProperty("clientSecretSet").GetBoolean());
        // Set again, then removed with null.
        other["clientSecret"] = secret;
        Assert.True((await HttpAssert.Ok(await PatchAsync(tenant, other))).GetProperty("settings").GetProperty("sso").GetProperty("clientSecretSet").GetBoolean());
        other["clientSecret"] = null;
        Assert.False((await HttpAssert.Ok(await PatchAsync(tenant, other))).GetProperty("settings").GetProperty("sso").GetProperty("clientSecretSet").GetBoolean());
        Assert.False((await StoredAsync()).GetProperty("clientSecretSet").GetBoolean());
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("tab\tinside")]
    [InlineData(513)]
    [InlineData(5)]
    public async Task A_client_secret_of_the_wrong_shape_is_a_400_and_nothing_is_stored(object value)
    {
        var tenant = await fixture.CreateTenantAsync("badsecret");
        var sso = Valid();
        sso["clientSecret"] = value is 513 ? new string('s', 513) : value;
        await HttpAssert.Problem(await PatchAsync(tenant, sso), HttpStatusCode.BadRequest,
            "sso.clientSecret must be 1 to 512 printable characters without spaces, or null");
        using var http = fixture.Client(token: fixture.OperatorToken);
        var stored = await HttpAssert.Ok(await http.GetAsync($"/api/tenants/{tenant}"));
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("settings").GetProperty("sso").ValueKind);
    }
}
