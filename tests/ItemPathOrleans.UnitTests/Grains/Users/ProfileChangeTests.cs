using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.UnitTests.Grains.Users;

/// <summary>An admin's change of a user, without a cluster: the profile after it, the credential, the sessions it ends, the log line.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class ProfileChangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UserProfile Robot = new("default", 3, "robot", "r@example.org", UserTypes.Application, UserStatus.ActiveApplication, true, "en", "UTC", T0, T0);

    private static UserChanges Changes(string? username = null, string? type = null, int? status = null, bool? isAdmin = null, string? language = null, bool clearEmail = false) =>
        new(username, null, null, clearEmail, type, isAdmin, status, language, null);

    [Fact]
    public void Fields_present_change_and_the_others_are_kept()
    {
        var later = T0.AddHours(1);
        var change = ProfileChange.Of(Robot, Changes(username: "robot-2", clearEmail: true), passwordSet: false, later);
        Assert.Equal(Robot with { Username = "robot-2", Email = null, UpdatedAt = later }, change.After);
        Assert.Equal("username, email", change.Describe());
        Assert.False(change.ChangesCredential);
    }

    [Fact]
    public void A_type_change_re_maps_the_stored_status_and_changes_the_credential()
    {
        var change = ProfileChange.Of(Robot, Changes(type: UserTypes.User), passwordSet: false, T0);
        Assert.Equal(UserStatus.Active, change.After.Status);
        Assert.True(change.ChangesCredential);
        Assert.Equal("type, status 3->1", change.Describe());
    }

    [Theory]
    [InlineData("password", true)]
    [InlineData("status", true)]
    [InlineData("language", false)]
    [InlineData("nothing", false)]
    public void Only_a_password_status_or_type_change_changes_the_credential(string what, bool changes)
    {
        var change = ProfileChange.Of(Robot, what switch
        {
            "status" => Changes(status: UserStatus.Deactivated),
            "language" => Changes(language: "fr"),
            _ => Changes(),
        }, passwordSet: what == "password", T0);
        Assert.Equal(changes, change.ChangesCredential);
        Assert.Equal(what switch
        {
            "password" => "password set by an admin",
            "status" => "status 3->2",
            "language" => "language",
            _ => "nothing changed",
        }, change.Describe());
    }

    [Theory]
    [InlineData("password set", 2, RevocationReasons.PasswordChanged)]
    [InlineData("deactivated", 2, RevocationReasons.UserDeactivated)]
    [InlineData("made a plain user", 1, RevocationReasons.TypeChanged)]
    [InlineData("renamed", 0, null)]
    public void A_change_ends_the_sessions_it_must_in_the_same_write(string what, int ended, string? reason)
    {
        var book = new SessionBook([]);
        var (login, _) = book.OpenLogin(SessionKinds.Login, T0, TimeSpan.FromDays(30), 200);
        var app = book.OpenApplication("ci", T0);
        var change = ProfileChange.Of(Robot, what switch
        {
            "deactivated" => Changes(status: UserStatus.Deactivated),
            "made a plain user" => Changes(type: UserTypes.User),
            _ => Changes(username: "robot-3"),
        }, passwordSet: what == "password set", T0);

        var revoked = change.EndSessions(book, T0);

        Assert.Equal(ended, revoked.Count);
        Assert.All(revoked, s => Assert.Equal(reason, s.RevokedReason));
        Assert.Equal(ended == 0 || what == "made a plain user", login.IsActive(T0));
        Assert.Equal(ended == 0, app.IsActive(T0));
    }

    [Fact]
    public void Admin_rights_are_lost_by_a_demotion_or_a_deactivation_and_gained_back()
    {
        Assert.True(ProfileChange.Of(Robot, Changes(isAdmin: false), false, T0).LosesActiveAdmin);
        Assert.True(ProfileChange.Of(Robot, Changes(status: UserStatus.Deactivated), false, T0).LosesActiveAdmin);
        var deactivated = Robot with { Status = UserStatus.Deactivated };
        Assert.True(ProfileChange.Of(deactivated, Changes(status: UserStatus.Active), false, T0).GainsActiveAdmin);
        Assert.False(ProfileChange.Of(Robot, Changes(language: "fr"), false, T0).LosesActiveAdmin);
    }
}
