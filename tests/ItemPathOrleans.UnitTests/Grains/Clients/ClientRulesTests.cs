using System.Collections.Immutable;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Clients;

namespace ItemPathOrleans.UnitTests.Grains.Clients;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ClientRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TenantSettings Settings = TenantSettings.Default with { ApiScopes = [new ApiScope("stations:read", "")] };

    private static (ClientInfo? Client, string? Error) Create(ClientFields fields) => ClientRules.Create("t", "c1", fields, Settings, T0);

    [Fact]
    public void A_creation_takes_the_defaults_of_its_type()
    {
        var confidential = Create(new ClientFields { Name = "svc" }).Client!;
        Assert.Equal(("confidential", "client_secret_basic"), (confidential.Type, confidential.TokenEndpointAuthMethod));
        Assert.Equal(["client_credentials"], confidential.GrantTypes);

        var (app, error) = Create(new ClientFields { Name = "app", Type = "public", RedirectUris = ["http://127.0.0.1:8080/cb", "com.example.app:/cb"] });
        Assert.Null(error);
        Assert.Equal("none", app!.TokenEndpointAuthMethod);
        Assert.Equal(["authorization_code", "refresh_token"], app.GrantTypes);
    }

    [Theory]
    [InlineData("http://[::1]/cb", null)]
    [InlineData("http://localhost:5000/cb", null)]
    [InlineData("https://app.example.com/cb?x=1", null)]
    [InlineData("http://app.example.com/cb", "redirectUris may use http only for loopback hosts")]
    [InlineData("https://user@app.example.com/cb", "redirectUris must be absolute URIs of at most 2048 characters, without fragment")]
    [InlineData("javascript:alert(1)", "redirectUris must be absolute URIs of at most 2048 characters, without fragment")]
    [InlineData("https://app.example.com/cb#", "redirectUris must be absolute URIs of at most 2048 characters, without fragment")]
    public void Redirect_uris_are_absolute_without_fragment_and_http_only_on_loopback(string uri, string? error)
    {
        Assert.Equal(error, Create(new ClientFields { Name = "web", GrantTypes = ["authorization_code"], RedirectUris = [uri] }).Error);
    }

    [Fact]
    public void Allowed_scopes_are_the_tenants_or_the_standard_ones()
    {
        Assert.Null(Create(new ClientFields { Name = "s", AllowedScopes = ["stations:read", "openid", "offline_access"] }).Error);
        Assert.NotNull(Create(new ClientFields { Name = "s", AllowedScopes = ["stations:write"] }).Error);
    }

    [Fact]
    public void A_change_keeps_what_it_does_not_name_clears_what_it_nulls_and_is_held_to_every_rule()
    {
        var before = Create(new ClientFields { Name = "svc", RateLimitPerMinute = 5, AccessTokenLifetimeSeconds = 300 }).Client!;

        var (after, _) = ClientRules.Change(before, new ClientFields { Name = "renamed", Cleared = [ClientFields.RateLimitField] }, Settings, T0.AddMinutes(1));
        Assert.Equal(("renamed", null, 300), (after!.Name, after.RateLimitPerMinute, after.AccessTokenLifetimeSeconds));
        Assert.Equal(T0.AddMinutes(1), after.UpdatedAt);
        Assert.Equal(T0, after.CreatedAt);

        // Turning it public without saying more gives it the public method; its grant is still client_credentials: refused.
        Assert.Equal("grantTypes of a public client may only be authorization_code and refresh_token",
            ClientRules.Change(before, new ClientFields { Type = "public" }, Settings, T0).Error);
        Assert.Equal("jwks is required for private_key_jwt",
            ClientRules.Change(before, new ClientFields { TokenEndpointAuthMethod = "private_key_jwt" }, Settings, T0).Error);
    }
}
