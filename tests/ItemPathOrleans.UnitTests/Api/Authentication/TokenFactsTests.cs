using ItemPathOrleans.Api.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ItemPathOrleans.UnitTests.Api.Authentication;

/// <summary>
/// What the contract's rules read of a token, read once: each claim as its text, absent claims as
/// null (not as empty text a rule could mistake for a value), one audience or none.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class TokenFactsTests
{
    private static readonly SymmetricSecurityKey Key = new(new byte[32]) { KeyId = "k1" };

    private static JsonWebToken Token(IDictionary<string, object> claims, string typ = "JWT") => new(new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
    {
        Claims = claims,
        TokenType = typ,
        SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
    }));

    [Fact]
    public void A_user_token_gives_its_claims_as_text_and_its_header()
    {
        var facts = TokenFacts.Of(Token(new Dictionary<string, object>
        {
            ["type"] = "access", ["tid"] = "acme", ["iss"] = "https://id.example/acme", ["jti"] = "j1", ["sid"] = "s1",
            ["uid"] = 42, ["identity"] = "ana", ["aud"] = "itempath", ["iat"] = 1_700_000_000L, ["exp"] = 1_700_000_900L,
        }));

        Assert.Equal(("JWT", "k1", "HS256", "itempath"), (facts.Typ, facts.Kid, facts.Alg, facts.Audience));
        Assert.Equal(("access", "acme", "https://id.example/acme", "j1", "s1", "42", "ana"),
            (facts.Type, facts.Tenant, facts.Issuer, facts.Id, facts.SessionId, facts.UserId, facts.Identity));
        Assert.Equal(1_700_000_000L, facts.IssuedAt);
        Assert.True(facts.HasExpiry);
        Assert.Null(facts.ClientId);
        Assert.Null(facts.Subject);
        Assert.False(facts.HasScope);
        Assert.False(facts.IsClientToken);
    }

    [Fact]
    public void A_token_without_exp_or_iat_says_so()
    {
        var facts = TokenFacts.Of(Token(new Dictionary<string, object> { ["type"] = "access", ["uid"] = 7 }));
        Assert.False(facts.HasExpiry);
        Assert.Null(facts.IssuedAt);
        Assert.Null(facts.Audience);
    }

    [Fact]
    public void Several_audiences_give_none()
    {
        var facts = TokenFacts.Of(Token(new Dictionary<string, object> { ["aud"] = new[] { "itempath", "other" } }));
        Assert.Null(facts.Audience);
    }

    [Fact]
    public void Only_an_at_jwt_token_without_a_user_is_a_clients_own()
    {
        var client = TokenFacts.Of(Token(new Dictionary<string, object> { ["client_id"] = "c1", ["sub"] = "c1", ["scope"] = "read" }, "at+jwt"));
        Assert.True(client.IsClientToken);
        Assert.True(client.HasScope);
        Assert.Equal(("c1", "c1"), (client.ClientId, client.Subject));

        // A client's token for a user (authorization code flow) carries the user's uid.
        Assert.False(TokenFacts.Of(Token(new Dictionary<string, object> { ["client_id"] = "c1", ["uid"] = 3 }, "at+jwt")).IsClientToken);
        Assert.False(TokenFacts.Of(Token(new Dictionary<string, object> { ["client_id"] = "c1" })).IsClientToken);
    }
}
