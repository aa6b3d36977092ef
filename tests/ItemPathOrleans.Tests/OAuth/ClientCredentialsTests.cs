using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using ItemPathOrleans.Tests.Clients;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>
/// Registered clients through an off-the-shelf client library (Duende.IdentityModel), with no
/// code of their own: <c>client_credentials</c> with each authentication method
/// (<c>client_secret_basic</c>, <c>client_secret_post</c>, <c>private_key_jwt</c> with an RSA and
/// an EC key), the RFC 9068 token they get, what the gateway and introspection say of it, and
/// revocation with client authentication.
/// </summary>
[Collection(ClientsCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class ClientCredentialsTests(ClientsFixture fixture)
{
    private string Tenant => fixture.Tenant;

    private async Task<TokenResponse> SecretTokenAsync(string id, string secret, ClientCredentialStyle style, string? scope = null)
    {
        using var http = ClientsFixture.Http(fixture.NodeA);
        return await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = ClientsFixture.TokenEndpoint(Tenant),
            ClientId = id,
            ClientSecret = secret,
            ClientCredentialStyle = style,
            Scope = scope,
        });
    }

    private async Task<TokenResponse> AssertionTokenAsync(string id, ClientKeys keys, string? scope = null)
    {
        using var http = ClientsFixture.Http(fixture.NodeA);
        return await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = ClientsFixture.TokenEndpoint(Tenant),
            ClientId = id,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = new ClientAssertion { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = keys.Assertion(id, ClientsFixture.TokenEndpoint(Tenant)) },
            Scope = scope,
        });
    }

    private async Task<string> KeyClientAsync(ClientKeys keys, string[]? scopes = null)
    {
        var id = ServiceFixture.UniqueName("jwt");
        await fixture.RegisterAsync(Tenant, new { clientId = id, name = "signed", tokenEndpointAuthMethod = "private_key_jwt", jwks = keys.Jwks, allowedScopes = scopes ?? ClientsFixture.ApiScopes });
        return id;
    }

    [Theory]
    [InlineData("client_secret_basic", ClientCredentialStyle.AuthorizationHeader)]
    [InlineData("client_secret_post", ClientCredentialStyle.PostBody)]
    public async Task A_client_with_a_secret_gets_an_RFC_9068_token_that_names_it_and_its_scopes(string method, ClientCredentialStyle style)
    {
        var (id, secret) = await fixture.SecretClientAsync(method);

        var response = await SecretTokenAsync(id, secret, style, "stations:read");

        Assert.False(response.IsError, response.Error);
        Assert.Equal("Bearer", response.TokenType);
        Assert.Equal("stations:read", response.Scope);
        Assert.InRange(response.ExpiresIn, 890, 900);
        Assert.Null(response.RefreshToken);
        Assert.Equal("no-store", response.HttpResponse!.Headers.CacheControl!.ToString());
        var header = JwtParts.Header(response.AccessToken!);
        Assert.Equal(["typ", "alg", "kid"], header.EnumerateObject().Select(p => p.Name));
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        var claims = JwtParts.Payload(response.AccessToken!);
        Assert.Equal(["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "tid"], claims.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ClientsFixture.Issuer(Tenant), claims.GetProperty("iss").GetString());
        Assert.Equal(id, claims.GetProperty("sub").GetString());
        Assert.Equal(id, claims.GetProperty("client_id").GetString());
        Assert.Equal("itempath-api", claims.GetProperty("aud").GetString());
        Assert.Equal(Tenant, claims.GetProperty("tid").GetString());
        Assert.Equal(900, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task Without_a_scope_the_client_gets_its_API_scopes_and_its_own_lifetime()
    {
        var (id, secret) = await fixture.SecretClientAsync(more: new { accessTokenLifetimeSeconds = 120 });

        var response = await SecretTokenAsync(id, secret, ClientCredentialStyle.AuthorizationHeader);

        Assert.False(response.IsError, response.Error);
        Assert.Equal("stations:read stations:write", response.Scope);
        var claims = JwtParts.Payload(response.AccessToken!);
        Assert.Equal(120, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
    }

    [Fact]
    public async Task Private_key_jwt_works_with_an_RSA_key_and_with_an_EC_key()
    {
        using var rsa = ClientKeys.Rsa();
        using var ec = ClientKeys.Ec();
        foreach (var keys in new[] { rsa, ec })
        {
            var id = await KeyClientAsync(keys);
            var response = await AssertionTokenAsync(id, keys, "stations:write");
            Assert.False(response.IsError, $"{keys.Kid}: {response.Error} {response.ErrorDescription}");
            Assert.Equal(id, JwtParts.Payload(response.AccessToken!).GetProperty("client_id").GetString());
        }
    }

    [Fact]
    public async Task A_PS256_assertion_and_one_addressed_to_the_issuer_are_accepted()
    {
        using var keys = ClientKeys.Rsa(Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSsaPssSha256);
        var id = await KeyClientAsync(keys);
        using var http = ClientsFixture.Http(fixture.NodeA);
        var response = await http.PostAsync(ClientsFixture.TokenEndpoint(Tenant), new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_assertion_type", OidcConstants.ClientAssertionTypes.JwtBearer),
            new("client_assertion", keys.Assertion(id, ClientsFixture.Issuer(Tenant))),
        ]));
        Assert.Equal(id, JwtParts.Payload((await HttpAssert.Ok(response)).GetProperty("access_token").GetString()!).GetProperty("sub").GetString());
    }

    [Fact]
    public async Task The_verify_endpoint_and_the_gateway_name_the_client_and_its_scopes()
    {
        var (id, secret) = await fixture.SecretClientAsync();
        var token = (await SecretTokenAsync(id, secret, ClientCredentialStyle.AuthorizationHeader, "stations:read stations:write")).AccessToken!;

        using var verify = ClientsFixture.Http(fixture.NodeB, Tenant, token);
        var response = await verify.GetAsync("/api/auth/verify");
        var body = await HttpAssert.Ok(response);
        Assert.Equal(Tenant, body.GetProperty("tenant").GetString());
        Assert.Equal(id, body.GetProperty("clientId").GetString());
        Assert.Equal(["stations:read", "stations:write"], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("client", body.GetProperty("type").GetString());
        Assert.Equal(id, response.Headers.GetValues("X-Auth-Client-Id").Single());
        Assert.Equal("stations:read stations:write", response.Headers.GetValues("X-Auth-Scopes").Single());
        Assert.Equal(Tenant, response.Headers.GetValues("X-Auth-Tenant").Single());
        Assert.False(response.Headers.Contains("X-Auth-User-Id"));
    }

    [Fact]
    public async Task A_gateway_route_that_requires_a_scope_lets_through_only_tokens_that_carry_it()
    {
        var (reader, readerSecret) = await fixture.SecretClientAsync();
        var withScope = (await SecretTokenAsync(reader, readerSecret, ClientCredentialStyle.AuthorizationHeader, "stations:read")).AccessToken!;
        var withoutScope = (await SecretTokenAsync(reader, readerSecret, ClientCredentialStyle.AuthorizationHeader, "stations:write")).AccessToken!;

        using (var allowed = ClientsFixture.Http(fixture.GatewayNode, Tenant, withScope))
        {
            // A client-sent spelling of the gateway's own headers is dropped, the gateway's set.
            allowed.DefaultRequestHeaders.Add("X-Auth-Client-Id", "someone-else");
            allowed.DefaultRequestHeaders.Add("x_auth_scopes", "stations:admin");
            Assert.Equal(HttpStatusCode.OK, (await allowed.GetAsync("/api/stations/7")).StatusCode);
        }
        var received = fixture.Upstream.Requests.Last(r => r.PathAndQuery == "/api/stations/7");
        Assert.Equal([reader], received.Values("X-Auth-Client-Id"));
        Assert.Equal(["stations:read"], received.Values("X-Auth-Scopes"));
        Assert.Empty(received.Values("x_auth_scopes"));

        foreach (var token in new[] { withoutScope, await fixture.UserAccessTokenAsync(Tenant) })
        {
            using var refused = ClientsFixture.Http(fixture.GatewayNode, Tenant, token);
            var response = await refused.GetAsync("/api/stations/8");
            await HttpAssert.Problem(response, HttpStatusCode.Forbidden, "Insufficient scope");
            Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"stations:read\"", response.Headers.WwwAuthenticate.ToString());
        }
        // A route without scopes takes any valid token, a client's included.
        using var open = ClientsFixture.Http(fixture.GatewayNode, Tenant, withoutScope);
        Assert.Equal(HttpStatusCode.OK, (await open.GetAsync("/api/open/x")).StatusCode);
    }

    [Fact]
    public async Task A_confidential_client_introspects_with_each_method_and_sees_the_client_token()
    {
        var (subjectId, subjectSecret) = await fixture.SecretClientAsync();
        var token = (await SecretTokenAsync(subjectId, subjectSecret, ClientCredentialStyle.AuthorizationHeader, "stations:read")).AccessToken!;
        var (basicId, basicSecret) = await fixture.SecretClientAsync();
        var (postId, postSecret) = await fixture.SecretClientAsync("client_secret_post");
        using var keys = ClientKeys.Ec();
        var jwtId = await KeyClientAsync(keys);

        using var http = ClientsFixture.Http(fixture.NodeA);
        var answers = new[]
        {
            await http.IntrospectTokenAsync(new TokenIntrospectionRequest { Address = ClientsFixture.IntrospectionEndpoint(Tenant), ClientId = basicId, ClientSecret = basicSecret, Token = token }),
            await http.IntrospectTokenAsync(new TokenIntrospectionRequest { Address = ClientsFixture.IntrospectionEndpoint(Tenant), ClientId = postId, ClientSecret = postSecret, ClientCredentialStyle = ClientCredentialStyle.PostBody, Token = token }),
            await http.IntrospectTokenAsync(new TokenIntrospectionRequest
            {
                Address = ClientsFixture.IntrospectionEndpoint(Tenant), ClientId = jwtId, ClientCredentialStyle = ClientCredentialStyle.PostBody, Token = token,
                ClientAssertion = new ClientAssertion { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = keys.Assertion(jwtId, ClientsFixture.TokenEndpoint(Tenant)) },
            }),
        };
        foreach (var answer in answers)
        {
            Assert.False(answer.IsError, answer.Error);
            Assert.True(answer.IsActive);
            var json = answer.Json!.Value;
            Assert.Equal(subjectId, json.GetProperty("client_id").GetString());
            Assert.Equal(subjectId, json.GetProperty("sub").GetString());
            Assert.Equal("stations:read", json.GetProperty("scope").GetString());
            Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
            Assert.Equal(Tenant, json.GetProperty("tid").GetString());
            Assert.Equal(ClientsFixture.Issuer(Tenant), json.GetProperty("iss").GetString());
            Assert.True(json.TryGetProperty("exp", out _) && json.TryGetProperty("iat", out _));
        }

        var wrong = await http.IntrospectTokenAsync(new TokenIntrospectionRequest { Address = ClientsFixture.IntrospectionEndpoint(Tenant), ClientId = basicId, ClientSecret = "not-it", Token = token });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.HttpStatusCode);
    }

    [Fact]
    public async Task A_client_revokes_its_own_token_but_not_another_clients()
    {
        var (mine, mySecret) = await fixture.SecretClientAsync();
        var (theirs, theirSecret) = await fixture.SecretClientAsync("client_secret_post");
        var myToken = (await SecretTokenAsync(mine, mySecret, ClientCredentialStyle.AuthorizationHeader)).AccessToken!;
        var theirToken = (await SecretTokenAsync(theirs, theirSecret, ClientCredentialStyle.PostBody)).AccessToken!;

        using var http = ClientsFixture.Http(fixture.NodeA);
        // Another client's token: 200, and nothing revoked (RFC 7009 §2.1).
        var other = await http.RevokeTokenAsync(new TokenRevocationRequest { Address = ClientsFixture.RevocationEndpoint(Tenant), ClientId = mine, ClientSecret = mySecret, Token = theirToken });
        Assert.False(other.IsError, other.Error);
        Assert.True(await IntrospectsActiveAsync(theirToken, mine, mySecret));

        var own = await http.RevokeTokenAsync(new TokenRevocationRequest { Address = ClientsFixture.RevocationEndpoint(Tenant), ClientId = mine, ClientSecret = mySecret, Token = myToken });
        Assert.False(own.IsError, own.Error);
        Assert.False(await IntrospectsActiveAsync(myToken, theirs, theirSecret, ClientCredentialStyle.PostBody));
        // This node forgot its cached answer: the token is refused here at once.
        using var verify = ClientsFixture.Http(fixture.NodeA, Tenant, myToken);
        await HttpAssert.InvalidToken(await verify.GetAsync("/api/auth/verify"), "Token has been revoked");
        // Without client authentication a client token is not revoked by whoever holds it.
        var anonymous = await http.PostAsync(ClientsFixture.RevocationEndpoint(Tenant), new FormUrlEncodedContent([new("token", theirToken)]));
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.True(await IntrospectsActiveAsync(theirToken, mine, mySecret));
    }

    [Fact]
    public async Task The_metadata_lists_the_grants_methods_algorithms_and_scopes()
    {
        var metadata = await ClientsFixture.MetadataAsync(fixture.NodeA, Tenant);
        string[] Strings(string name) => metadata.GetProperty(name).EnumerateArray().Select(v => v.GetString()!).ToArray();
        Assert.Contains("client_credentials", Strings("grant_types_supported"));
        Assert.Equal(["none", "client_secret_basic", "client_secret_post", "private_key_jwt"], Strings("token_endpoint_auth_methods_supported"));
        Assert.Equal(["RS256", "PS256", "ES256"], Strings("token_endpoint_auth_signing_alg_values_supported"));
        Assert.Equal(["none", "client_secret_basic", "client_secret_post", "private_key_jwt"], Strings("revocation_endpoint_auth_methods_supported"));
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt"], Strings("introspection_endpoint_auth_methods_supported"));
        Assert.Equal(ClientsFixture.ApiScopes, Strings("scopes_supported"));
    }

    private async Task<bool> IntrospectsActiveAsync(string token, string callerId, string callerSecret, ClientCredentialStyle style = ClientCredentialStyle.AuthorizationHeader)
    {
        using var http = ClientsFixture.Http(fixture.NodeA);
        var answer = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = ClientsFixture.IntrospectionEndpoint(Tenant), ClientId = callerId, ClientSecret = callerSecret, ClientCredentialStyle = style, Token = token,
        });
        Assert.False(answer.IsError, answer.Error);
        return answer.IsActive;
    }
}
