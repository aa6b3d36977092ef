using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Users;
using Microsoft.Extensions.Time.Testing;

namespace ItemPathOrleans.UnitTests.Grains.Users;

/// <summary>The refresh-token family: rotation, grace replay, reuse, absolute expiry, pruning.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class SessionStateMachineTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private DateTimeOffset Now => _time.GetUtcNow();

    private Session Open(SessionBook? book = null) =>
        (book ?? new SessionBook([])).OpenLogin(SessionKinds.Login, Now, Month, 200).Session;

    private static AccessAnswer Answer(DateTimeOffset now) => new(Guid.NewGuid().ToString(), now.ToUnixTimeSeconds(), now.AddMinutes(15).ToUnixTimeSeconds());

    private static string Rotate(Session session, DateTimeOffset now)
    {
        var next = Guid.NewGuid().ToString();
        session.Rotate(next, now, Answer(now));
        return next;
    }

    [Fact]
    public void The_current_token_is_current()
    {
        var session = Open();
        Assert.Equal(RefreshPresentation.Current, session.Present(session.RefreshJti!, Now, Grace));
    }

    [Fact]
    public void The_previous_token_replays_only_inside_the_grace_window()
    {
        var session = Open();
        var first = session.RefreshJti!;
        Rotate(session, Now);

        _time.Advance(Grace);
        Assert.Equal(RefreshPresentation.Replay, session.Present(first, Now, Grace));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RefreshPresentation.Reuse, session.Present(first, Now, Grace));
    }

    [Fact]
    public void Once_the_successor_is_presented_the_previous_token_is_spent()
    {
        var session = Open();
        var first = session.RefreshJti!;
        var second = Rotate(session, Now);

        Assert.Equal(RefreshPresentation.Current, session.Present(second, Now, Grace));
        Assert.Equal(RefreshPresentation.Reuse, session.Present(first, Now, Grace));
    }

    [Fact]
    public void Only_the_immediately_previous_token_replays()
    {
        var session = Open();
        var first = session.RefreshJti!;
        var second = Rotate(session, Now);
        Rotate(session, Now);

        Assert.Equal(RefreshPresentation.Replay, session.Present(second, Now, Grace));
        Assert.Equal(RefreshPresentation.Reuse, session.Present(first, Now, Grace));
        Assert.Equal(RefreshPresentation.Reuse, session.Present(Guid.NewGuid().ToString(), Now, Grace));
    }

    [Fact]
    public void A_zero_grace_window_replays_only_in_the_same_second()
    {
        var session = Open();
        var first = session.RefreshJti!;
        Rotate(session, Now);
        Assert.Equal(RefreshPresentation.Replay, session.Present(first, Now, TimeSpan.Zero));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RefreshPresentation.Reuse, session.Present(first, Now, TimeSpan.Zero));
    }

    [Fact]
    public void Rotation_never_extends_the_absolute_expiry()
    {
        var session = Open();
        var expiry = session.ExpiresAt;
        for (var day = 0; day < 29; day++)
        {
            _time.Advance(TimeSpan.FromDays(1));
            Rotate(session, Now);
            Assert.Equal(expiry, session.ExpiresAt);
        }
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(RefreshPresentation.Expired, session.Present(session.RefreshJti!, Now, Grace));
    }

    [Fact]
    public void A_revoked_session_refuses_even_its_current_token_and_keeps_its_reason()
    {
        var session = Open();
        session.Revoke(RevocationReasons.RefreshTokenReuse, Now);
        session.Revoke(RevocationReasons.Logout, Now);
        Assert.Equal(RefreshPresentation.Revoked, session.Present(session.RefreshJti!, Now, Grace));
        Assert.Equal(RevocationReasons.RefreshTokenReuse, session.RevokedReason);
    }

    [Fact]
    public void Application_sessions_never_refresh()
    {
        var app = new SessionBook([]).OpenApplication("ci", Now);
        Assert.Equal(RefreshPresentation.Reuse, app.Present(app.Id, Now, Grace));
    }

    [Fact]
    public void Pruning_bounds_the_state_however_long_the_user_lives()
    {
        var sessions = new Dictionary<string, Session>();
        var book = new SessionBook(sessions);
        for (var i = 0; i < 5_000; i++)
        {
            var session = book.OpenLogin(SessionKinds.Login, Now, TimeSpan.FromHours(1), 200).Session;
            if (i % 2 == 0) session.Revoke(RevocationReasons.Logout, Now);
            _time.Advance(TimeSpan.FromMinutes(1));
        }
        book.Prune(Now);

        Assert.True(book.Active(Now).Count() <= 200);
        Assert.True(sessions.Values.Count(s => s.Revoked) <= SessionBook.MaxRevokedKept);
        Assert.True(sessions.Count <= 200 + SessionBook.MaxRevokedKept);

        _time.Advance(SessionBook.RevokedRetention + TimeSpan.FromHours(1));
        book.Prune(Now);
        Assert.Empty(sessions);
    }

    [Fact]
    public void Revoking_all_keeps_the_named_session()
    {
        var book = new SessionBook([]);
        var keep = Open(book);
        var other = Open(book);
        var app = book.OpenApplication(null, Now);

        var revoked = book.RevokeAll(RevocationReasons.PasswordChanged, Now, keep.Id);

        Assert.Equal(new[] { other.Id, app.Id }.Order(StringComparer.Ordinal), revoked.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True(keep.IsActive(Now));
        Assert.False(other.IsActive(Now));
        Assert.False(app.IsActive(Now));
    }
}
