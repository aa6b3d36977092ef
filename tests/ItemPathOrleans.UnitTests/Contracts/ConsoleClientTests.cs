using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.UnitTests.Contracts;

/// <summary>The console's built-in registration: a public PKCE client confined to the console's addresses under the tenant's issuer.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ConsoleClientTests
{
    private static readonly DateTimeOffset Since = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void The_console_is_a_public_client_of_the_code_flow_with_refresh()
    {
        var client = ConsoleClient.For("acme", "https://auth.example.com/acme", Since);

        Assert.Equal("acme", client.Tenant);
        Assert.Equal("itempath-console", client.ClientId);
        Assert.Equal(ClientVocabulary.Public, client.Type);
        Assert.Equal(ClientVocabulary.None, client.TokenEndpointAuthMethod);
        Assert.Equal([ClientVocabulary.AuthorizationCode, ClientVocabulary.RefreshToken], client.GrantTypes);
        Assert.Equal(["openid", "profile", "email", "offline_access"], client.AllowedScopes);
        Assert.False(client.RequireConsent);
        Assert.False(client.Disabled);
        Assert.Null(client.Jwks);
        Assert.Empty(client.Secrets);
        Assert.Equal(Since, client.CreatedAt);
    }

    [Fact]
    public void Its_only_redirect_uris_are_the_consoles_callback_and_signed_out_page_under_the_issuer()
    {
        var client = ConsoleClient.For("acme", "https://auth.example.com/acme", Since);

        Assert.Equal(["https://auth.example.com/acme/console/callback"], client.RedirectUris);
        Assert.Equal(["https://auth.example.com/acme/console/signed-out"], client.PostLogoutRedirectUris);
        Assert.Equal("https://auth.example.com/acme/console", ConsoleClient.Url("https://auth.example.com/acme"));
    }

    [Theory]
    [InlineData("itempath-console", true)]
    [InlineData("ItemPath-Console", false)]
    [InlineData("itempath-console ", false)]
    [InlineData(null, false)]
    public void The_id_is_matched_exactly(string? clientId, bool expected) => Assert.Equal(expected, ConsoleClient.Is(clientId));
}
