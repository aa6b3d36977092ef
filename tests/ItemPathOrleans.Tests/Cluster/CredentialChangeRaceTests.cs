using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Cluster;

/// <summary>
/// A login runs in two halves around its hash: the user grain hands out a permit and the stored
/// hash, the hash is checked outside the grain, then the grain completes the login. These tests
/// hold the login between its halves (the check is done), change the credential, then complete:
/// a password, status or type change in that gap must stop the login as a wrong password would.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class CredentialChangeRaceTests(CredentialChangeRaceTests.ClusterFixture fixture) : IClassFixture<CredentialChangeRaceTests.ClusterFixture>
{
    private const string Password = "Old-password-2026";
    private const string NewPassword = "New-password-2027";
    private static readonly PasswordHasher Hasher = new(Options.Create(new PasswordHashingOptions()));

    private IGrainFactory Grains => fixture.Cluster.Client;
    private IUserRegistryGrain Registry => Grains.GetGrain<IUserRegistryGrain>(0);

    /// <summary>One 2-silo cluster for the class; each test has a user of its own.</summary>
    public sealed class ClusterFixture : IAsyncLifetime
    {
        public InProcessTestCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await TestClusters.StartAsync(silos: 2);

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    public static TheoryData<string> Changes =>
    [
        "an admin sets a password",
        "the user changes their password",
        "the break-glass reset",
        "an admin deactivates the user",
        "an admin changes the type",
        "an admin deletes the user",
    ];

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_login_checked_before_a_credential_change_does_not_complete_after_it(string change)
    {
        var (id, user) = await CreateAsync(isAdmin: change == "the break-glass reset");
        // A session the user keeps through their own password change.
        var kept = change == "the user changes their password" ? await LoginAsync(user) : null;

        // First half, and the check: the permit and the hash are handed out, the password matches.
        var permit = await user.BeginLogin("198.51.100.7");
        Assert.True(permit.Allowed);
        Assert.True(Hasher.Verify(Password, permit.PasswordHash!).Matched);

        await ApplyAsync(change, id, kept);

        // Second half: the check no longer speaks for the user.
        var completion = await user.CompleteLogin(permit.PermitId, passwordMatched: true, rehashedPassword: null);
        Assert.Equal(TokenError.BadCredentials, completion.Error);
        Assert.Null(completion.Access);
        Assert.Null(completion.Refresh);
        var sessions = await user.ListSessions();
        Assert.Equal(kept is null ? [] : [kept], sessions.Select(s => s.Id));
    }

    [Fact]
    public async Task A_login_checked_with_nothing_changed_in_between_completes()
    {
        var (id, user) = await CreateAsync();
        var permit = await user.BeginLogin("198.51.100.7");
        Assert.True(Hasher.Verify(Password, permit.PasswordHash!).Matched);

        // A change that is not of the credential (the language) does not stop it.
        Assert.Equal(UserChangeError.None, (await Registry.UpdateUser("default", id, Change(language: "fr"))).Error);

        var completion = await user.CompleteLogin(permit.PermitId, passwordMatched: true, rehashedPassword: null);
        Assert.Equal(TokenError.None, completion.Error);
        Assert.Single(await user.ListSessions());
    }

    [Fact]
    public async Task A_password_change_checked_before_an_admin_reset_does_not_complete_after_it()
    {
        var (id, user) = await CreateAsync();
        var kept = await LoginAsync(user);
        var permit = await user.BeginLogin("198.51.100.7");
        Assert.True(Hasher.Verify(Password, permit.PasswordHash!).Matched);

        await ApplyAsync("an admin sets a password", id, kept: null);

        // The user's own change, checked against the old password, must not overwrite the admin's.
        var changed = await user.CompletePasswordChange(permit.PermitId, passwordMatched: true, Hasher.Hash("Third-password-2028"), kept);
        Assert.Equal(PasswordChangeError.WrongPassword, changed.Error);
        var auth = Grains.GetGrain<IAuthenticationGrain>(0);
        Assert.Equal(TokenError.None, (await auth.Login("default", (await user.GetProfile())!.Username, NewPassword, "198.51.100.8")).Error);
    }

    private async Task ApplyAsync(string change, int id, string? kept)
    {
        switch (change)
        {
            case "an admin sets a password":
                Assert.Equal(UserChangeError.None, (await Registry.UpdateUser("default", id, Change(password: NewPassword))).Error);
                break;
            case "the user changes their password":
                var changed = await Grains.GetGrain<IAuthenticationGrain>(0).ChangePassword("default", id, kept!, Password, NewPassword, "198.51.100.8");
                Assert.Equal(PasswordChangeError.None, changed.Error);
                break;
            case "the break-glass reset":
                var profile = await Grains.GetGrain<IUserGrain>(GrainKeys.User("default", id)).GetProfile();
                Assert.Equal(UserChangeError.None, (await Registry.ResetAdminPassword("default", profile!.Username, NewPassword)).Error);
                break;
            case "an admin deactivates the user":
                Assert.Equal(UserChangeError.None, (await Registry.UpdateUser("default", id, Change(status: UserStatus.Deactivated))).Error);
                // Active again before the login completes: the check was made against the old status all the same.
                Assert.Equal(UserChangeError.None, (await Registry.UpdateUser("default", id, Change(status: UserStatus.Active))).Error);
                break;
            case "an admin changes the type":
                Assert.Equal(UserChangeError.None, (await Registry.UpdateUser("default", id, Change(type: UserTypes.Application))).Error);
                break;
            case "an admin deletes the user":
                Assert.Equal(UserChangeError.None, await Registry.DeleteUser("default", id));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }

    private static UserChanges Change(string? password = null, string? type = null, int? status = null, string? language = null) =>
        new(null, password, null, false, type, null, status, language, null);

    private async Task<(int Id, IUserGrain User)> CreateAsync(bool isAdmin = false)
    {
        var name = ServiceFixture.UniqueName("race");
        var created = await Registry.CreateUser("default", new NewUser(name, Password, null, UserTypes.User, isAdmin, null, "en", "UTC"));
        Assert.Equal(UserChangeError.None, created.Error);
        return (created.User!.Id, Grains.GetGrain<IUserGrain>(GrainKeys.User("default", created.User.Id)));
    }

    private async Task<string> LoginAsync(IUserGrain user)
    {
        var login = await Grains.GetGrain<IAuthenticationGrain>(0).Login("default", (await user.GetProfile())!.Username, Password, "198.51.100.9");
        Assert.Equal(TokenError.None, login.Error);
        return JwtClaims.Claim(login.Access!.Token, "sid");
    }
}
