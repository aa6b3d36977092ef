using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.UnitTests.Grains.Users;

/// <summary>Application tokens, without a cluster: who may open one, the cap, and the token.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class ApplicationTokensTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TenantSettings CapOfTwo = TenantSettings.Default with { MaxApplicationTokensPerUser = 2 };

    private static UserProfile Profile(string type) =>
        new("acme", 9, "robot", null, type, UserStatus.Normalize(UserStatus.Active, type), false, "en", "UTC", T0, T0);

    [Fact]
    public void Only_application_users_open_application_tokens()
    {
        var book = new SessionBook([]);
        var (token, error) = ApplicationTokens.Open(book, Profile(UserTypes.User), "ci", CapOfTwo, T0);
        Assert.Null(token);
        Assert.Equal(TokenError.NotApplicationUser, error);
        Assert.Empty(book.Active(T0));
    }

    [Fact]
    public void The_cap_counts_active_application_tokens_and_a_revoked_one_frees_a_place()
    {
        var book = new SessionBook([]);
        var robot = Profile(UserTypes.Application);
        book.OpenLogin(SessionKinds.Login, T0, TimeSpan.FromDays(30), 200);
        var (first, _) = ApplicationTokens.Open(book, robot, "a", CapOfTwo, T0);
        Assert.Equal(TokenError.None, ApplicationTokens.Open(book, robot, "b", CapOfTwo, T0).Error);

        Assert.Equal((null, TokenError.TooManyApplicationTokens), ApplicationTokens.Open(book, robot, "c", CapOfTwo, T0));

        first!.Revoke(RevocationReasons.RevokedByUser, T0);
        var (third, error) = ApplicationTokens.Open(book, robot, "c", CapOfTwo, T0);
        Assert.Equal(TokenError.None, error);
        Assert.Equal(("c", SessionKinds.Application, null), (third!.Name, third.Kind, third.ExpiresAt));
    }

    [Fact]
    public void The_token_never_expires_and_its_jti_is_its_session_id()
    {
        var minted = new ApplicationTokens(TestMinting.Minter);
        var robot = Profile(UserTypes.Application);
        var (session, _) = ApplicationTokens.Open(new SessionBook([]), robot, "ci", CapOfTwo, T0);

        var result = minted.Mint(TestMinting.Tenant(CapOfTwo), robot, session!, T0);

        Assert.Equal((TokenError.None, session!.Id, "ci"), (result.Error, result.Id, result.Name));
        Assert.Equal(session.Id, JwtClaims.Claim(result.Token!, "jti"));
        Assert.Equal(session.Id, JwtClaims.Claim(result.Token!, "sid"));
        Assert.Equal("access", JwtClaims.Claim(result.Token!, "type"));
        Assert.Throws<KeyNotFoundException>(() => JwtClaims.Claim(result.Token!, "exp"));
    }
}
