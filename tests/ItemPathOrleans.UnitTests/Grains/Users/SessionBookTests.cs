using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.UnitTests.Grains.Users;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class SessionBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    [Fact]
    public void A_login_session_expires_30_days_after_it_opened_and_its_refresh_iat_is_its_start()
    {
        var book = new SessionBook([]);
        var (s, _) = book.OpenLogin(SessionKinds.Login, T0, Month, 200);
        Assert.Equal(T0 + Month, s.ExpiresAt);
        Assert.Equal(T0.ToUnixTimeSeconds(), s.RefreshIssuedAt);
        Assert.True(s.IsActive(T0 + Month - TimeSpan.FromSeconds(1)));
        Assert.False(s.IsActive(T0 + Month));
    }

    [Fact]
    public void Past_the_cap_the_oldest_login_session_is_revoked()
    {
        var sessions = new Dictionary<string, Session>();
        var book = new SessionBook(sessions);
        var (first, _) = book.OpenLogin(SessionKinds.Login, T0, Month, 3);
        book.OpenLogin(SessionKinds.Login, T0.AddSeconds(1), Month, 3);
        book.OpenLogin(SessionKinds.Login, T0.AddSeconds(2), Month, 3);
        var (fourth, evicted) = book.OpenLogin(SessionKinds.Login, T0.AddSeconds(3), Month, 3);

        Assert.Equal(first.Id, Assert.Single(evicted).Id);
        Assert.Equal(3, book.Active(T0.AddSeconds(3)).Count());
        Assert.False(first.IsActive(T0.AddSeconds(3)));
        Assert.Equal(RevocationReasons.SessionCap, first.RevokedReason);
        Assert.True(book.Find(fourth.Id)!.IsActive(T0.AddSeconds(3)));
    }

    [Fact]
    public void A_clients_session_past_the_cap_keeps_the_browser_session_it_is_opened_through()
    {
        var book = new SessionBook([]);
        var (browser, _) = book.OpenLogin(SessionKinds.Web, T0, Month, 2);
        var (older, _) = book.OpenLogin(SessionKinds.OpenId, T0.AddSeconds(1), Month, 2, keep: browser.Id);
        var (_, evicted) = book.OpenLogin(SessionKinds.OpenId, T0.AddSeconds(2), Month, 2, keep: browser.Id);

        Assert.Equal(older.Id, Assert.Single(evicted).Id);
        Assert.True(browser.IsActive(T0.AddSeconds(2)));
    }

    [Fact]
    public void Expired_sessions_are_pruned_but_application_tokens_never_expire()
    {
        var sessions = new Dictionary<string, Session>();
        var book = new SessionBook(sessions);
        var (login, _) = book.OpenLogin(SessionKinds.Login, T0, Month, 200);
        var app = book.OpenApplication("ci", T0);

        book.Prune(T0 + Month + TimeSpan.FromDays(3650));

        Assert.Null(book.Find(login.Id));
        Assert.NotNull(book.Find(app.Id));
        Assert.Equal(1, book.ActiveApplicationTokens(T0 + TimeSpan.FromDays(3650)));
    }

    [Fact]
    public void Session_ids_are_unguessable_and_distinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SessionBook.NewId()).ToHashSet();
        Assert.Equal(1000, ids.Count);
        Assert.All(ids, id => Assert.Equal(22, id.Length));
    }

    [Theory]
    [InlineData(1, "application", 3)]
    [InlineData(3, "user", 1)]
    [InlineData(2, "application", 2)]
    [InlineData(0, "user", 0)]
    public void Status_is_normalized_for_the_user_type(int asked, string type, int stored)
    {
        Assert.Equal(stored, UserStatus.Normalize(asked, type));
    }
}
