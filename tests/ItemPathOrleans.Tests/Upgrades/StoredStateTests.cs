using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Names;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Grains.Sso;
using ItemPathOrleans.Grains.Tenants;
using ItemPathOrleans.Grains.Users;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;

namespace ItemPathOrleans.Tests.Upgrades;

/// <summary>
/// A newer build reads every state an older one stored. <c>Fixtures/vN</c> holds each grain
/// state as shape N wrote it (v1: release 1, before states carried a shape; bytes from
/// <c>tests/StateFixtures</c>, committed and never regenerated); these tests read them with the
/// current code.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public class StoredStateTests
{
    private const string FixturePassword = "Fixture-Password-2026";
    private static readonly DateTimeOffset Created = new(2026, 11, 1, 8, 30, 0, TimeSpan.Zero);

    private static readonly OrleansGrainStorageSerializer Storage =
        new(new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    private static byte[] Fixture(string version, string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Upgrades", "Fixtures", version, name + ".bin"));

    private static T Read<T>(string version, string name) => Storage.Deserialize<T>(new BinaryData(Fixture(version, name))) ?? throw new InvalidDataException($"{version}/{name}: empty");

    [Theory]
    [InlineData("v1", 0)]
    [InlineData("v2", 2)]
    public void A_stored_user_of_every_shape_reads_with_its_profile_password_and_every_session(string version, int shape)
    {
        var user = Read<UserState>(version, "user");
        Assert.Equal(shape, user.Shape);
        // Shape 2 added the Entra link; release 1's users have none.
        Assert.Equal(shape >= 2 ? new SsoLink("00000000-0000-0000-0000-0000000000e1", "00000000-0000-0000-0000-00000000a11c") : null, user.Sso);

        Assert.Equal(new UserProfile("default", 7, "alice", "alice@example.com", UserTypes.User, UserStatus.Active, true,
            "fr", "Europe/Paris", Created, Created.AddDays(3)), user.Profile);
        var hasher = new PasswordHasher(Options.Create(new PasswordHashingOptions()));
        Assert.True(hasher.Verify(FixturePassword, user.PasswordHash!).Matched);
        Assert.False(hasher.Verify("not-the-password", user.PasswordHash!).Matched);

        Assert.Equal(["s-app", "s-revoked", "s-rotated"], user.Sessions.Keys.Order(StringComparer.Ordinal));
        var rotated = user.Sessions["s-rotated"];
        Assert.Equal((SessionKinds.Login, "r-2", "r-1", "warehouse-app"), (rotated.Kind, rotated.RefreshJti, rotated.PreviousRefreshJti, rotated.ClientId));
        Assert.Equal(new AccessAnswer("a-2", Created.AddMinutes(20).ToUnixTimeSeconds(), Created.AddMinutes(35).ToUnixTimeSeconds()), rotated.RotationAnswer);
        Assert.Equal(Created.AddMinutes(20), rotated.PreviousRotatedAt);
        Assert.True(rotated.IsActive(Created.AddDays(1)));
        // The previous token still replays inside its grace window, and a spent one is reuse: rotation state survived.
        Assert.Equal(RefreshPresentation.Replay, rotated.Present("r-1", Created.AddMinutes(20).AddSeconds(10), TimeSpan.FromSeconds(30)));
        Assert.Equal(RefreshPresentation.Reuse, rotated.Present("r-0", Created.AddMinutes(21), TimeSpan.FromSeconds(30)));

        var revoked = user.Sessions["s-revoked"];
        Assert.Equal((true, RevocationReasons.Logout, Created.AddHours(1)), (revoked.Revoked, revoked.RevokedReason, revoked.RevokedAt));
        var app = user.Sessions["s-app"];
        Assert.Equal((SessionKinds.Application, "nightly export", (DateTimeOffset?)null), (app.Kind, app.Name, app.ExpiresAt));
    }

    [Fact]
    public void A_v1_tenant_reads_with_its_settings_and_key_ring_as_an_HS256_tenant_without_sso()
    {
        var tenant = Read<TenantState>("v1", "tenant");
        Assert.Equal(0, tenant.Shape);

        var info = tenant.Info!;
        Assert.Equal(("acme", "Acme Corp", false, Created, "k2", 5), (info.Id, info.Name, info.Disabled, info.CreatedAt, info.CurrentKid, info.Version));
        Assert.Equal(TenantSettings.Default with { RefreshTokenRotation = true, AccessTokenLifetimeSeconds = 600, MaxSessionsPerUser = 50, PasswordMinLength = 12 },
            info.Settings);
        Assert.Equal(("HS256", null), (info.Settings.Algorithm, info.Settings.Sso));
        // Settings of registered clients, stored later: no API scopes, the password grant open.
        Assert.Equal((0, true), (info.Settings.Scopes.Count, info.Settings.PasswordGrantWithoutClient));
        Assert.Equal(["k1", "k2"], info.Keys.Select(k => k.Kid));
        Assert.All(info.Keys, k => Assert.Equal(("HS256", (byte[]?)null), (k.Alg, k.EncryptedPrivateKey)));
        // ID token keys came later: versions stored before have none (EnsureIdTokenKey gives the current one its own).
        Assert.All(info.Keys, k => Assert.Equal((false, (byte[]?)null, (byte[]?)null), (k.HasIdTokenKey, k.RsaEncryptedPrivateKey, k.RsaPublicKey)));
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (byte)i), info.Keys[0].Salt);
        Assert.Equal(("m1", (DateTimeOffset?)Created.AddDays(2)), (info.Keys[0].MasterKeyId, info.Keys[0].RetiredAt));
        Assert.Null(info.Keys[1].RetiredAt);
        Assert.Equal((42, true), (tenant.LastUserId, tenant.Bootstrapped));
        Assert.Equal([1, 7], tenant.ActiveAdmins.Order());
    }

    [Fact]
    public void A_v2_tenant_reads_with_single_sign_on_and_an_ES256_version()
    {
        var tenant = Read<TenantState>("v2", "tenant");
        Assert.Equal(2, tenant.Shape);

        var info = tenant.Info!;
        Assert.Equal(("acme", "k3", 6), (info.Id, info.CurrentKid, info.Version));
        Assert.Equal("ES256", info.Settings.Algorithm);
        Assert.Equal(("11111111-2222-3333-4444-555555555555", true, SsoSettings.DefaultUsernameClaim),
            (info.Settings.Sso!.ClientId, info.Settings.Sso.AutoProvision, info.Settings.Sso.UsernameClaim));
        Assert.Equal(["00000000-0000-0000-0000-0000000000e1"], info.Settings.Sso.EntraTenantIds);
        Assert.Equal(["HS256", "HS256", "ES256"], info.Keys.Select(k => k.Alg));
        Assert.Equal([1, 2, 3], info.Keys[2].EncryptedPrivateKey!);
        Assert.Equal([4, 5, 6], info.Keys[2].PublicKey!);
        Assert.All(info.Keys, k => Assert.False(k.HasIdTokenKey));
        Assert.Equal(("m1", (DateTimeOffset?)Created.AddDays(2)), (info.Keys[0].MasterKeyId, info.Keys[0].RetiredAt));
        Assert.Equal((42, true), (tenant.LastUserId, tenant.Bootstrapped));

        var link = Read<SsoLinkState>("v2", "ssolink");
        Assert.Equal((7, true, 2), (link.UserId, link.Confirmed, link.Shape));
        // Used ID tokens came later, as a new field: a link stored before has none (and an empty set, not null).
        Assert.Empty(link.AcceptedIdTokens);
    }

    [Theory]
    [InlineData("v1", 0)]
    [InlineData("v2", 2)]
    public void A_stored_name_reservation_and_tenant_catalog_of_every_shape_read(string version, int shape)
    {
        var name = Read<UniqueNameState>(version, "name");
        Assert.Equal((7, true, Created, shape), (name.OwnerId, name.Confirmed, name.ReservedAt, name.Shape));

        var catalog = Read<TenantCatalogState>(version, "catalog");
        Assert.Equal((3, shape), (catalog.Version, catalog.Shape));
        Assert.Equal(new TenantEntry("acme", "Acme Corp", false, Created), catalog.Tenants["acme"]);
        Assert.Equal(new TenantEntry("globex", "Globex", true, Created.AddDays(1)), catalog.Tenants["globex"]);
    }

    /// <summary>
    /// Through the whole stack: release 1's bytes for user 7 stored in PostgreSQL in place of the
    /// row the current build wrote; a new cluster logs the user in with the password of the old
    /// state and lists its old sessions.
    /// </summary>
    [Fact]
    public async Task A_v1_user_row_in_postgres_logs_in_and_keeps_its_sessions()
    {
        var connectionString = TestSettings.PostgresConnectionString;
        var serviceId = $"upgrade-{Guid.NewGuid():N}";

        var cluster = await TestClusters.StartAsync(1, connectionString, serviceId);
        try
        {
            var registry = cluster.Client.GetGrain<IUserRegistryGrain>(0);
            // The bootstrap admin is user 1: users 2 to 6 first, so "alice" becomes user 7 like the sample.
            var lastId = 1;
            for (var filler = 2; lastId < 6 && filler < 12; filler++)
            {
                var made = await registry.CreateUser(TenantIds.Default, new NewUser($"filler-{filler}", "Current-Build-Pass-1", null, UserTypes.User, false, null, "en", "UTC"));
                Assert.True(made.Error == UserChangeError.None, $"creating a filler: {made.Error}");
                lastId = made.User!.Id;
            }
            var created = await registry.CreateUser(TenantIds.Default,
                new NewUser("alice", "Current-Build-Pass-1", "alice@example.com", UserTypes.User, true, null, "en", "UTC"));
            Assert.True(created.Error == UserChangeError.None, $"creating alice: {created.Error}");
            Assert.Equal(("alice", 7), (created.User!.Username, created.User.Id));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        await ReplaceUserStateAsync(connectionString, serviceId, "default/7", Fixture("v1", "user"));

        cluster = await TestClusters.StartAsync(1, connectionString, serviceId);
        try
        {
            await using var api = new ApiFactory(cluster.Client);
            using var http = api.CreateClient();

            var refused = await http.PostAsJsonAsync("/api/users/login", new { username = "alice", password = "Current-Build-Pass-1" });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var login = await http.PostAsJsonAsync("/api/users/login", new { username = "alice", password = FixturePassword });
            var body = await login.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(login.StatusCode == HttpStatusCode.OK, $"login with the stored password: {(int)login.StatusCode} {body}");
            Assert.Equal((7, true), (body.GetProperty("id").GetInt32(), body.GetProperty("isAdmin").GetBoolean()));
            var access = body.GetProperty("accessToken").GetString()!;

            var me = await GetAsync(http, "/api/users/me", access);
            Assert.Equal(("fr", "Europe/Paris", "alice@example.com"),
                (me.GetProperty("language").GetString(), me.GetProperty("timeZone").GetString(), me.GetProperty("email").GetString()));

            var sessions = (await GetAsync(http, "/api/users/me/sessions", access)).GetProperty("sessions").EnumerateArray()
                .ToDictionary(s => s.GetProperty("id").GetString()!, s => s);
            Assert.Contains("s-rotated", sessions.Keys);
            Assert.Equal("nightly export", sessions["s-app"].GetProperty("name").GetString());
            Assert.Equal("application", sessions["s-app"].GetProperty("kind").GetString());
            Assert.DoesNotContain("s-revoked", sessions.Keys);
            Assert.Equal(3, sessions.Count); // the two live old ones and this login

            // The login wrote the user back: now in the current shape, the old sessions kept.
            var rewritten = Storage.Deserialize<UserState>(new BinaryData(await ReadUserStateAsync(connectionString, serviceId, "default/7")))!;
            Assert.Equal(StateShapes.Current, rewritten.Shape);
            Assert.Contains("s-app", rewritten.Sessions.Keys);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static async Task<byte[]> ReadUserStateAsync(string connectionString, string serviceId, string key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT PayloadBinary FROM OrleansStorage WHERE ServiceId = @s AND GrainTypeString LIKE '%user' AND GrainIdExtensionString = @k", connection);
        command.Parameters.AddWithValue("s", serviceId);
        command.Parameters.AddWithValue("k", key);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    private static async Task ReplaceUserStateAsync(string connectionString, string serviceId, string key, byte[] payload)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "UPDATE OrleansStorage SET PayloadBinary = @p WHERE ServiceId = @s AND GrainTypeString LIKE '%user' AND GrainIdExtensionString = @k", connection);
        command.Parameters.AddWithValue("p", payload);
        command.Parameters.AddWithValue("s", serviceId);
        command.Parameters.AddWithValue("k", key);
        var rows = await command.ExecuteNonQueryAsync();
        if (rows != 1)
        {
            await using var list = new NpgsqlCommand("SELECT GrainTypeString, GrainIdExtensionString, GrainIdN0, GrainIdN1 FROM OrleansStorage WHERE ServiceId = @s", connection);
            list.Parameters.AddWithValue("s", serviceId);
            await using var reader = await list.ExecuteReaderAsync();
            var seen = new List<string>();
            while (await reader.ReadAsync()) seen.Add($"{reader.GetValue(0)} | {reader.GetValue(1)} | {reader.GetValue(2)} | {reader.GetValue(3)}");
            Assert.Fail($"expected one stored row for user {key}, updated {rows}; rows of the service: {string.Join("; ", seen)}");
        }
    }
}
