using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Users;

namespace ItemPathOrleans.UnitTests.Grains.Users;

/// <summary>The login permit and the credential version, without a cluster: what the user grain's two halves of a login rely on.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class CredentialsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TenantSettings Settings = TenantSettings.Default; // 5 per address, 50 per user in 900 s
    private const string Address = "192.0.2.1";

    private readonly Credentials _credentials = new();

    private static UserState User(int status = UserStatus.Active, string? hash = "$argon2id$stored") => new()
    {
        Profile = new UserProfile("default", 7, "alice", null, UserTypes.User, status, false, "en", "UTC", T0, T0),
        PasswordHash = hash,
    };

    [Fact]
    public void A_permit_hands_out_the_stored_hash_and_completes_once()
    {
        var user = User();
        var (permit, throttle) = _credentials.Begin(user, Address, T0, Settings);
        Assert.True(throttle.Allowed);
        Assert.True(permit.Allowed);
        Assert.Equal("$argon2id$stored", permit.PasswordHash);
        Assert.Equal(1, _credentials.PendingLogins);

        Assert.Equal(PermitCompletion.Accepted(Address), _credentials.Complete(user, permit.PermitId, passwordMatched: true));
        // Spent: the same permit again is unknown here, as after an activation move.
        Assert.Equal(PermitCompletion.Lost, _credentials.Complete(user, permit.PermitId, passwordMatched: true));
        Assert.Equal(0, _credentials.PendingLogins);
    }

    [Fact]
    public void A_wrong_password_is_refused_with_its_address_and_counts_toward_the_lockout()
    {
        var user = User();
        for (var i = 0; i < Settings.LockoutThreshold; i++)
        {
            var (permit, _) = _credentials.Begin(user, Address, T0, Settings);
            Assert.Equal(PermitCompletion.Refused(Address, "wrong password"), _credentials.Complete(user, permit.PermitId, passwordMatched: false));
        }

        var (locked, throttle) = _credentials.Begin(user, Address, T0, Settings);
        Assert.True(throttle.JustLocked);
        Assert.False(locked.Allowed);
        Assert.Null(locked.PasswordHash);
        Assert.Equal(Settings.LockoutBaseSeconds, locked.RetryAfterSeconds);
        // Another address is not locked by this one.
        Assert.True(_credentials.Begin(user, "198.51.100.1", T0, Settings).Permit.Allowed);

        // An operator's reset forgets the lock.
        _credentials.ResetLockout();
        Assert.True(_credentials.Begin(user, Address, T0, Settings).Permit.Allowed);
    }

    [Fact]
    public void An_accepted_login_takes_its_count_back()
    {
        var user = User();
        for (var i = 0; i < 20; i++)
        {
            var (permit, _) = _credentials.Begin(user, Address, T0, Settings);
            Assert.True(permit.Allowed, $"login {i} was refused: a user's own logins must never lock the name");
            Assert.True(_credentials.Complete(user, permit.PermitId, passwordMatched: true).IsAccepted);
        }
    }

    [Theory]
    [InlineData("password")]
    [InlineData("status or type")]
    public void A_credential_change_after_the_permit_refuses_its_completion(string change)
    {
        var user = User();
        var (permit, _) = _credentials.Begin(user, Address, T0, Settings);

        Credentials.Change(user, change == "password" ? "$argon2id$new" : null);

        var completion = _credentials.Complete(user, permit.PermitId, passwordMatched: true);
        Assert.False(completion.IsAccepted);
        Assert.Equal("the password, status or type changed during the login", completion.Refusal);
        Assert.Equal(change == "password" ? "$argon2id$new" : "$argon2id$stored", user.PasswordHash);
        // A permit handed out after the change completes.
        var (next, _) = _credentials.Begin(user, Address, T0, Settings);
        Assert.True(_credentials.Complete(user, next.PermitId, passwordMatched: true).IsAccepted);
    }

    [Fact]
    public void A_rehash_keeps_the_credential_and_its_permits()
    {
        var user = User();
        var (permit, _) = _credentials.Begin(user, Address, T0, Settings);
        Credentials.Rehash(user, "$argon2id$rehashed");
        Assert.True(_credentials.Complete(user, permit.PermitId, passwordMatched: true).IsAccepted);
        Assert.Equal("$argon2id$rehashed", user.PasswordHash);
    }

    [Fact]
    public void An_inactive_user_is_refused_after_a_matched_password()
    {
        var user = User(status: UserStatus.Deactivated);
        var (permit, _) = _credentials.Begin(user, Address, T0, Settings);
        Assert.Equal(PermitCompletion.Refused(Address, "user not active"), _credentials.Complete(user, permit.PermitId, passwordMatched: true));
    }

    [Fact]
    public void An_unknown_permit_is_lost_after_a_matched_password_and_refused_silently_after_a_wrong_one()
    {
        var user = User();
        Assert.Equal(PermitCompletion.Lost, _credentials.Complete(user, Guid.NewGuid(), passwordMatched: true));
        var unknown = _credentials.Complete(user, Guid.NewGuid(), passwordMatched: false);
        Assert.Equal(PermitCompletion.Unknown, unknown);
        Assert.False(unknown.IsAccepted || unknown.IsLost);
        Assert.Null(unknown.Refusal);
    }

    [Fact]
    public void A_user_without_a_password_gets_no_permit()
    {
        var (permit, throttle) = _credentials.Begin(User(hash: null), Address, T0, Settings);
        Assert.True(throttle.Allowed);
        Assert.Equal(Credentials.NoPermit, permit);
    }

    [Fact]
    public void Pending_permits_are_bounded_and_expire_after_their_lifetime()
    {
        var user = User();
        var generous = Settings with { LockoutUserThreshold = 10_000 };
        for (var i = 0; i < Credentials.MaxPendingLogins; i++)
            Assert.True(_credentials.Begin(user, $"10.0.{i / 256}.{i % 256}", T0, generous).Permit.Allowed);

        Assert.False(_credentials.Begin(user, "203.0.113.1", T0, generous).Permit.Allowed);

        var later = T0 + Credentials.PermitLifetime + TimeSpan.FromSeconds(1);
        Assert.True(_credentials.Begin(user, "203.0.113.2", later, generous).Permit.Allowed);
        Assert.Equal(1, _credentials.PendingLogins);
    }
}
