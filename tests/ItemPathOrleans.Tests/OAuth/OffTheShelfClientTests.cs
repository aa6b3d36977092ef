using System.Net;
using Duende.IdentityModel.Client;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// An off-the-shelf OAuth 2.0 client library (Duende.IdentityModel) against the cluster, with
/// no code of its own: discovery, the password and refresh_token grants, revocation and
/// introspection.
/// </summary>
[Collection(OAuthCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class OffTheShelfClientTests(OAuthFixture fixture)
{
    private const string ClientId = "itempath-cli";

    private async Task<TokenResponse> PasswordTokenAsync(string tenant, string username, string password = OAuthFixture.Password)
    {
        using var http = fixture.Client();
        return await http.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = OAuthFixture.TokenEndpoint(tenant),
            ClientId = ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            UserName = username,
            Password = password,
        });
    }

    private async Task<TokenResponse> RefreshTokenAsync(string tenant, string refreshToken)
    {
        using var http = fixture.Client();
        return await http.RequestRefreshTokenAsync(new RefreshTokenRequest
        {
            Address = OAuthFixture.TokenEndpoint(tenant),
            ClientId = ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            RefreshToken = refreshToken,
        });
    }

    private async Task<TokenIntrospectionResponse> IntrospectAsync(string tenant, string token)
    {
        using var http = fixture.Client(bearer: await fixture.ApplicationTokenAsync(tenant));
        return await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = OAuthFixture.IntrospectionEndpoint(tenant),
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Token = token,
        });
    }

    private async Task<HttpStatusCode> MeAsync(string tenant, string accessToken)
    {
        using var http = fixture.Client(tenant, accessToken);
        return (await http.GetAsync("/api/users/me")).StatusCode;
    }

    [Fact]
    public async Task The_client_discovers_the_tenants_RFC_8414_metadata_and_accepts_it()
    {
        using var http = fixture.Client();
        var issuer = OAuthFixture.Issuer(fixture.OtherTenant);
        var disco = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = $"{TestSettings.Issuer}/.well-known/oauth-authorization-server/{fixture.OtherTenant}",
            Policy = new DiscoveryPolicy
            {
                // RFC 8414 §3.1: for an issuer with a path, the well-known segment comes before it.
                DiscoveryDocumentPath = $".well-known/oauth-authorization-server/{fixture.OtherTenant}",
                Authority = issuer,
                // No signing keys are published (the tokens are HS256).
                RequireKeySet = false,
            },
        });

        Assert.False(disco.IsError, disco.Error);
        Assert.Equal(issuer, disco.Issuer);
        Assert.Equal($"{issuer}/oauth/token", disco.TokenEndpoint);
        Assert.Equal($"{issuer}/oauth/revoke", disco.RevocationEndpoint);
        Assert.Equal($"{issuer}/oauth/introspect", disco.IntrospectionEndpoint);
        Assert.Equal(["authorization_code", "client_credentials", "password", "refresh_token"], disco.GrantTypesSupported.Order());
        Assert.Equal(["none", "client_secret_basic", "client_secret_post", "private_key_jwt"], disco.TokenEndpointAuthenticationMethodsSupported);

        // The token endpoint it found works for that tenant.
        var username = await fixture.CreateUserAsync(fixture.OtherTenant, "disco");
        using var client = fixture.Client();
        var token = await client.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = disco.TokenEndpoint, ClientCredentialStyle = ClientCredentialStyle.PostBody, UserName = username, Password = OAuthFixture.Password,
        });
        Assert.False(token.IsError, token.Error);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fixture.OtherTenant, token.AccessToken!));
    }

    [Fact]
    public async Task The_password_grant_answers_bearer_tokens_that_are_never_cached_and_work_on_the_ItemPath_API()
    {
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oauth-pw");
        var token = await PasswordTokenAsync(OAuthFixture.Default, username);

        Assert.False(token.IsError, token.Error);
        Assert.Equal(HttpStatusCode.OK, token.HttpStatusCode);
        Assert.Equal("Bearer", token.TokenType);
        Assert.InRange(token.ExpiresIn, 890, 900);
        Assert.False(string.IsNullOrEmpty(token.RefreshToken));
        OAuthAssert.NotCached(token.HttpResponse!);
        Assert.Equal("access", JwtClaims.Claim(token.AccessToken!, "type"));
        Assert.Equal("refresh", JwtClaims.Claim(token.RefreshToken!, "type"));
        Assert.Equal(OAuthFixture.Issuer(OAuthFixture.Default), JwtClaims.Claim(token.AccessToken!, "iss"));

        // One session model: the tokens are the ItemPath endpoints' tokens.
        Assert.Equal(HttpStatusCode.OK, await MeAsync(OAuthFixture.Default, token.AccessToken!));
        using var http = fixture.Client(OAuthFixture.Default, token.RefreshToken);
        await HttpAssert.Ok(await http.PostAsync("/api/users/refresh", null));

        // The client_id it sent is recorded on the session.
        var introspection = await IntrospectAsync(OAuthFixture.Default, token.RefreshToken!);
        Assert.True(introspection.IsActive, introspection.Raw);
        Assert.Equal(ClientId, introspection.Json?.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task With_rotation_off_a_refresh_answers_no_refresh_token_and_the_client_keeps_its_own()
    {
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oauth-keep");
        var login = await PasswordTokenAsync(OAuthFixture.Default, username);

        for (var i = 0; i < 2; i++)
        {
            var refreshed = await RefreshTokenAsync(OAuthFixture.Default, login.RefreshToken!);
            Assert.False(refreshed.IsError, refreshed.Error);
            Assert.Equal("Bearer", refreshed.TokenType);
            Assert.InRange(refreshed.ExpiresIn, 890, 900);
            Assert.Null(refreshed.RefreshToken);
            Assert.Null(refreshed.Json?.TryGetProperty("refresh_token", out _) is true ? "present" : null);
            OAuthAssert.NotCached(refreshed.HttpResponse!);
            Assert.NotEqual(login.AccessToken, refreshed.AccessToken);
            Assert.Equal(HttpStatusCode.OK, await MeAsync(OAuthFixture.Default, refreshed.AccessToken!));
        }
    }

    [Fact]
    public async Task With_rotation_on_a_refresh_answers_the_next_token_and_the_spent_one_is_refused()
    {
        var tenant = fixture.RotatingTenant;
        var username = await fixture.CreateUserAsync(tenant, "oauth-rot");
        var login = await PasswordTokenAsync(tenant, username);

        var first = await RefreshTokenAsync(tenant, login.RefreshToken!);
        Assert.False(first.IsError, first.Error);
        Assert.False(string.IsNullOrEmpty(first.RefreshToken));
        Assert.NotEqual(login.RefreshToken, first.RefreshToken);
        Assert.Equal(JwtClaims.Claim(login.RefreshToken!, "sid"), JwtClaims.Claim(first.RefreshToken!, "sid"));

        var second = await RefreshTokenAsync(tenant, first.RefreshToken!);
        Assert.False(second.IsError, second.Error);

        // The first token is spent and no longer the previous one: theft detected, the session ends.
        var reused = await RefreshTokenAsync(tenant, login.RefreshToken!);
        Assert.True(reused.IsError);
        Assert.Equal(HttpStatusCode.BadRequest, reused.HttpStatusCode);
        Assert.Equal("invalid_grant", reused.Error);
        Assert.Equal("Token has been revoked", reused.ErrorDescription);
        var afterTheft = await RefreshTokenAsync(tenant, second.RefreshToken!);
        Assert.Equal("invalid_grant", afterTheft.Error);
    }

    [Fact]
    public async Task Revocation_through_the_client_ends_the_session_for_both_front_doors()
    {
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oauth-revoke");
        var token = await PasswordTokenAsync(OAuthFixture.Default, username);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(OAuthFixture.Default, token.AccessToken!));

        using var http = fixture.Client();
        var revoked = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = OAuthFixture.RevocationEndpoint(OAuthFixture.Default),
            ClientId = ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Token = token.RefreshToken!,
            TokenTypeHint = "refresh_token",
        });
        Assert.False(revoked.IsError, revoked.Error);
        Assert.Equal(HttpStatusCode.OK, revoked.HttpStatusCode);

        var refreshed = await RefreshTokenAsync(OAuthFixture.Default, token.RefreshToken!);
        Assert.Equal("invalid_grant", refreshed.Error);
        using var itemPath = fixture.Client(OAuthFixture.Default, token.RefreshToken);
        await HttpAssert.InvalidToken(await itemPath.PostAsync("/api/users/refresh", null), "Token has been revoked");
        // The session's access token stops too (this node forgot the session at once).
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(OAuthFixture.Default, token.AccessToken!));
        Assert.False((await IntrospectAsync(OAuthFixture.Default, token.AccessToken!)).IsActive);
    }

    [Fact]
    public async Task Introspection_through_the_client_describes_an_active_access_token()
    {
        var username = await fixture.CreateUserAsync(OAuthFixture.Default, "oauth-intro");
        var token = await PasswordTokenAsync(OAuthFixture.Default, username);

        var answer = await IntrospectAsync(OAuthFixture.Default, token.AccessToken!);
        Assert.False(answer.IsError, answer.Error);
        Assert.True(answer.IsActive);
        Assert.Equal(username, answer.Claims.Single(c => c.Type == "username").Value);
        Assert.Equal(JwtClaims.Claim(token.AccessToken!, "uid"), answer.Claims.Single(c => c.Type == "sub").Value);
        Assert.Equal("access_token", answer.Claims.Single(c => c.Type == "token_use").Value);
        Assert.Equal(JwtClaims.Claim(token.AccessToken!, "exp"), answer.Claims.Single(c => c.Type == "exp").Value);
    }
}
