using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.UnitTests.Grains.Users;

/// <summary>The tokens of a login session, without a cluster: expiry capped by the session, and the replay's identical bytes.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class SessionTokensTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TenantInfo Tenant = TestMinting.Tenant();
    private static readonly UserProfile Alice = new("acme", 7, "alice", null, UserTypes.User, UserStatus.Active, false, "en", "UTC", T0, T0);

    private readonly SessionTokens _tokens = new(TestMinting.Minter);

    private static Session Open(TimeSpan lifetime) => new SessionBook([]).OpenLogin(SessionKinds.Login, T0, lifetime, 200).Session;

    [Fact]
    public void A_login_answers_an_access_token_of_the_tenant_lifetime_and_the_session_refresh_token()
    {
        var session = Open(TimeSpan.FromDays(30));
        var login = _tokens.Opened(Tenant, Alice, session, T0);

        Assert.Equal(TokenError.None, login.Error);
        Assert.Same(Alice, login.User);
        Assert.Equal(T0.AddSeconds(900), login.Access!.ExpiresAt);
        Assert.Equal(session.ExpiresAt, login.Refresh!.ExpiresAt);
        Assert.Equal((session.Id, "access", (T0 + TimeSpan.FromSeconds(900)).ToUnixTimeSeconds().ToString()),
            (JwtClaims.Claim(login.Access.Token, "sid"), JwtClaims.Claim(login.Access.Token, "type"), JwtClaims.Claim(login.Access.Token, "exp")));
        Assert.Equal((session.RefreshJti, "refresh", T0.ToUnixTimeSeconds().ToString()),
            (JwtClaims.Claim(login.Refresh.Token, "jti"), JwtClaims.Claim(login.Refresh.Token, "type"), JwtClaims.Claim(login.Refresh.Token, "iat")));
    }

    [Fact]
    public void An_access_token_never_outlives_its_session()
    {
        var session = Open(TimeSpan.FromSeconds(3600));
        var late = T0 + TimeSpan.FromSeconds(3600 - 60);

        Assert.Equal(session.ExpiresAt, SessionTokens.AccessExpiry(Tenant.Settings, session, late));
        Assert.Equal(session.ExpiresAt, _tokens.Unrotated(Tenant, Alice, session, late).Access!.ExpiresAt);
        Assert.Equal(T0.AddSeconds(900), SessionTokens.AccessExpiry(Tenant.Settings, session, T0));
    }

    [Fact]
    public void A_refresh_without_rotation_answers_a_new_access_token_and_no_refresh_token()
    {
        var session = Open(TimeSpan.FromDays(30));
        var first = _tokens.Unrotated(Tenant, Alice, session, T0);
        var second = _tokens.Unrotated(Tenant, Alice, session, T0);

        Assert.Null(first.Refresh);
        Assert.NotEqual(first.Access!.Token, second.Access!.Token);
    }

    [Fact]
    public void A_rotation_answer_is_the_same_bytes_every_time_it_is_minted()
    {
        var session = Open(TimeSpan.FromDays(30));
        var before = session.RefreshJti;
        var now = T0.AddMinutes(5);
        session.Rotate(Guid.NewGuid().ToString(), now, SessionTokens.NextAccess(Tenant.Settings, session, now));

        var answer = _tokens.Rotated(Tenant, Alice, session);
        var replay = _tokens.Rotated(Tenant, Alice, session);

        Assert.Equal(answer.Access!.Token, replay.Access!.Token);
        Assert.Equal(answer.Refresh!.Token, replay.Refresh!.Token);
        Assert.NotEqual(before, JwtClaims.Claim(answer.Refresh.Token, "jti"));
        Assert.Equal(session.RotationAnswer!.Jti, JwtClaims.Claim(answer.Access.Token, "jti"));
        Assert.Equal(now.ToUnixTimeSeconds().ToString(), JwtClaims.Claim(answer.Refresh.Token, "iat"));
        // A refresh never extends the session.
        Assert.Equal(session.ExpiresAt, answer.Refresh.ExpiresAt);
    }
}
