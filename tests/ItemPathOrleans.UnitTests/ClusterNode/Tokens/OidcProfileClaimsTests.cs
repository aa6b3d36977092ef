using System.Buffers;
using System.Text.Json;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Contracts.Model;

namespace ItemPathOrleans.UnitTests.ClusterNode.Tokens;

/// <summary>The profile claims each OpenID Connect scope releases, the same as a token's claims and as a JSON answer.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class OidcProfileClaimsTests
{
    private static readonly UserProfile Alice = new("acme", 7, "alice", "alice@example.com", UserTypes.User, UserStatus.Active, false,
        "fr", "Europe/Paris", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static string Written(UserProfile profile, params string[] scopes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            OidcProfileClaims.Write(w, profile, scopes);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(new[] { "openid" }, "{}")]
    [InlineData(new[] { "openid", "profile" }, """{"preferred_username":"alice","name":"alice","locale":"fr","zoneinfo":"Europe/Paris"}""")]
    [InlineData(new[] { "openid", "email" }, """{"email":"alice@example.com","email_verified":false}""")]
    [InlineData(new[] { "email", "offline_access", "profile", "openid" },
        """{"preferred_username":"alice","name":"alice","locale":"fr","zoneinfo":"Europe/Paris","email":"alice@example.com","email_verified":false}""")]
    [InlineData(new[] { "openid", "Profile", "EMAIL", "orders.read" }, "{}")]
    public void Each_scope_releases_its_claims(string[] scopes, string expected)
    {
        Assert.Equal(expected, Written(Alice, scopes));
        Assert.Equal(expected, JsonSerializer.Serialize(OidcProfileClaims.ToDictionary(Alice, scopes)));
    }

    [Fact]
    public void A_user_without_an_email_address_gets_no_email_claims()
    {
        var noEmail = Alice with { Email = null };
        Assert.Equal("{}", Written(noEmail, "openid", "email"));
        Assert.Empty(OidcProfileClaims.ToDictionary(noEmail, ["openid", "email"]));
        Assert.Equal("""{"preferred_username":"alice","name":"alice","locale":"fr","zoneinfo":"Europe/Paris"}""", Written(noEmail, "email", "profile"));
    }

    [Fact]
    public void Every_claim_released_is_a_supported_claim()
    {
        var released = OidcProfileClaims.ToDictionary(Alice, ["profile", "email"]).Keys;
        Assert.All(released, c => Assert.Contains(c, OidcProfileClaims.ClaimsSupported));
        Assert.Equal(["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "at_hash",
            "preferred_username", "name", "email", "email_verified", "locale", "zoneinfo"], OidcProfileClaims.ClaimsSupported);
    }
}
