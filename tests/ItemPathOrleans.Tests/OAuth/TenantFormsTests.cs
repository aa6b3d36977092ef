using System.Net;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;
using static ItemPathOrleans.Tests.OAuth.OAuthFixture;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// The tenant-path endpoints (<c>/{tenant}/oauth/…</c>, under the tenant's issuer) and the bare
/// ones (<c>/oauth/…</c>, the request's tenant): both work, and neither reaches another tenant.
/// </summary>
[Collection(OAuthCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TenantFormsTests(OAuthFixture fixture)
{
    private static KeyValuePair<string, string>[] PasswordForm(string username) =>
        [P("grant_type", "password"), P("username", username), P("password", Password)];

    [Fact]
    public async Task The_bare_form_serves_the_requests_tenant_and_the_path_form_the_tenant_it_names()
    {
        var tenant = fixture.OtherTenant;
        var username = await fixture.CreateUserAsync(tenant, "forms");

        var bare = await OAuthAssert.Ok(await fixture.PostFormAsync("/oauth/token", PasswordForm(username), tenant: tenant));
        var path = await OAuthAssert.Ok(await fixture.PostFormAsync($"/{tenant}/oauth/token", PasswordForm(username)));
        foreach (var answer in new[] { bare, path })
            Assert.Equal(Issuer(tenant), JwtClaims.Claim(answer.GetProperty("access_token").GetString()!, "iss"));

        // Without X-Tenant the bare form is the default tenant's, where this user does not exist.
        await OAuthAssert.Error(await fixture.PostFormAsync("/oauth/token", PasswordForm(username)), HttpStatusCode.BadRequest, "invalid_grant");

        var refreshed = await OAuthAssert.Ok(await fixture.PostFormAsync("/oauth/token",
            [P("grant_type", "refresh_token"), P("refresh_token", bare.GetProperty("refresh_token").GetString()!)], tenant: tenant));
        Assert.False(refreshed.TryGetProperty("refresh_token", out _));

        using (var introspect = fixture.Client(tenant, await fixture.ApplicationTokenAsync(tenant)))
        {
            var answer = await OAuthAssert.Ok(await introspect.PostAsync("/oauth/introspect",
                new FormUrlEncodedContent([P("token", path.GetProperty("access_token").GetString()!)])));
            Assert.True(answer.GetProperty("active").GetBoolean());
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostFormAsync("/oauth/revoke", [P("token", path.GetProperty("refresh_token").GetString()!)], tenant: tenant)).StatusCode);
        await OAuthAssert.Error(await fixture.PostFormAsync($"/{tenant}/oauth/token",
            [P("grant_type", "refresh_token"), P("refresh_token", path.GetProperty("refresh_token").GetString()!)]), HttpStatusCode.BadRequest, "invalid_grant", "Token has been revoked");
    }

    [Fact]
    public async Task A_tenant_path_does_not_reach_another_tenant_with_that_tenants_tokens()
    {
        var username = await fixture.CreateUserAsync(Default, "cross");
        var tokens = await OAuthAssert.Ok(await fixture.PostFormAsync(TokenEndpoint(Default), PasswordForm(username)));
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        var access = tokens.GetProperty("access_token").GetString()!;
        var other = fixture.OtherTenant;

        // A default-tenant refresh token at the other tenant's token endpoint.
        await OAuthAssert.Error(await fixture.RefreshGrantAsync(other, refresh),
            HttpStatusCode.BadRequest, "invalid_grant");
        // Revoking it there does nothing to its session.
        Assert.Equal(HttpStatusCode.OK, (await fixture.RevokeAsync(other, refresh)).StatusCode);
        await OAuthAssert.Ok(await fixture.RefreshGrantAsync(Default, refresh));

        // Introspection there, by the other tenant's resource server: inactive.
        using (var foreign = fixture.Client(bearer: await fixture.ApplicationTokenAsync(other)))
        {
            var answer = await OAuthAssert.Ok(await foreign.PostAsync(IntrospectionEndpoint(other), new FormUrlEncodedContent([P("token", access)])));
            Assert.False(answer.GetProperty("active").GetBoolean());
        }
        // And a default-tenant application token cannot introspect at the other tenant's path.
        using (var wrongCaller = fixture.Client(bearer: await fixture.ApplicationTokenAsync(Default)))
        {
            var response = await wrongCaller.PostAsync(IntrospectionEndpoint(other), new FormUrlEncodedContent([P("token", access)]));
            await OAuthAssert.Error(response, HttpStatusCode.Unauthorized, "invalid_token");
        }
    }

    [Fact]
    public async Task A_path_that_disagrees_with_X_Tenant_is_invalid_request_and_an_unknown_tenant_is_404_invalid_request()
    {
        var username = await fixture.CreateUserAsync(Default, "disagree");
        var response = await fixture.PostFormAsync(TokenEndpoint(Default), PasswordForm(username), tenant: fixture.OtherTenant);
        await OAuthAssert.Error(response, HttpStatusCode.BadRequest, "invalid_request", "The tenant in the path does not match the request's tenant");

        await OAuthAssert.Error(await fixture.PostFormAsync("/nosuch/oauth/token", PasswordForm(username)), HttpStatusCode.NotFound, "invalid_request", "Unknown tenant");
        await OAuthAssert.Error(await fixture.PostFormAsync("/Bad_Id/oauth/revoke", [P("token", "x")]), HttpStatusCode.NotFound, "invalid_request", "Unknown tenant");
        using var http = fixture.Client();
        await OAuthAssert.Error(await http.GetAsync("/.well-known/oauth-authorization-server/nosuch"), HttpStatusCode.NotFound, "invalid_request", "Unknown tenant");
    }

    [Fact]
    public async Task Both_metadata_forms_describe_the_tenant_with_its_tenant_path_endpoints()
    {
        var tenant = fixture.OtherTenant;
        using var anonymous = fixture.Client();
        using var withHeader = fixture.Client(tenant);
        var byPath = await HttpAssert.Ok(await anonymous.GetAsync($"/.well-known/oauth-authorization-server/{tenant}"));
        var byHeader = await HttpAssert.Ok(await withHeader.GetAsync("/.well-known/oauth-authorization-server"));
        Assert.Equal(byPath.GetRawText(), byHeader.GetRawText());

        var issuer = Issuer(tenant);
        Assert.Equal(issuer, byPath.GetProperty("issuer").GetString());
        Assert.Equal($"{issuer}/oauth/token", byPath.GetProperty("token_endpoint").GetString());
        Assert.Equal($"{issuer}/oauth/revoke", byPath.GetProperty("revocation_endpoint").GetString());
        Assert.Equal($"{issuer}/oauth/introspect", byPath.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(["authorization_code", "password", "refresh_token", "client_credentials"], Strings(byPath.GetProperty("grant_types_supported")));
        Assert.Equal(["none", "client_secret_basic", "client_secret_post", "private_key_jwt"], Strings(byPath.GetProperty("token_endpoint_auth_methods_supported")));
        // The key set lives under the issuer too, and answers (empty for an HS256 tenant).
        Assert.Equal($"{issuer}/.well-known/jwks.json", byPath.GetProperty("jwks_uri").GetString());
        var keys = await HttpAssert.Ok(await anonymous.GetAsync(new Uri(byPath.GetProperty("jwks_uri").GetString()!).AbsolutePath));
        Assert.Equal(JsonValueKind.Array, keys.GetProperty("keys").ValueKind);

        var defaults = await HttpAssert.Ok(await anonymous.GetAsync("/.well-known/oauth-authorization-server"));
        Assert.Equal(Issuer(Default), defaults.GetProperty("issuer").GetString());
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
