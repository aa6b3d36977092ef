using ItemPathOrleans.Grains.Clients;

namespace ItemPathOrleans.UnitTests.Grains.Clients;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ClientSecretsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_secret_is_256_random_bits_stored_only_as_its_digest()
    {
        var (stored, secret) = ClientSecrets.Create(T0);
        var (other, otherSecret) = ClientSecrets.Create(T0);

        Assert.Equal(32, Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "=").Length);
        Assert.NotEqual(secret, otherSecret);
        Assert.NotEqual(stored.Id, other.Id);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), stored.Digest);
        Assert.DoesNotContain(secret, stored.ToString());
    }

    [Fact]
    public void Any_of_the_clients_secrets_matches_and_nothing_else_does()
    {
        var (first, firstSecret) = ClientSecrets.Create(T0);
        var (second, secondSecret) = ClientSecrets.Create(T0);
        var (_, strangerSecret) = ClientSecrets.Create(T0);
        List<StoredClientSecret> both = [first, second];

        Assert.True(ClientSecrets.Matches(firstSecret, both));
        Assert.True(ClientSecrets.Matches(secondSecret, both));
        Assert.False(ClientSecrets.Matches(strangerSecret, both));
        Assert.False(ClientSecrets.Matches(firstSecret[..^1], both));
        Assert.False(ClientSecrets.Matches(null, both));
        Assert.False(ClientSecrets.Matches("", both));
        // No secrets (an unknown client): compared with a dummy, never a match, not even the empty string.
        Assert.False(ClientSecrets.Matches(firstSecret, []));
        Assert.False(ClientSecrets.Matches(new string('a', ClientSecrets.MaxLength + 1), both));
    }
}
