using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Hosting;
using ItemPathOrleans.Grains.Names;
using ItemPathOrleans.Grains.Sso;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Grains.Tenants;
using ItemPathOrleans.Grains.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

// Writes one sample of every stored grain state of the current shape (StateShapes.Current),
// serialized exactly as grain storage stores it
// (the Orleans serializer behind OrleansGrainStorageSerializer), into the folder given:
//
//   dotnet run --project tests/StateFixtures -- tests/ItemPathOrleans.Tests/Upgrades/Fixtures/v<N>
//
// Run it once per release that changes a state's shape, into a new v<N> folder, and commit the
// folder: the upgrade tests read every committed version with the current code, forever.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: StateFixtures OUTPUT_FOLDER");
    return 2;
}
var folder = Directory.CreateDirectory(args[0]).FullName;
var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
var storage = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
var created = new DateTimeOffset(2026, 11, 1, 8, 30, 0, TimeSpan.Zero);
// Far enough ahead that the sample's live session is still live whenever the tests run.
var forever = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

void Write<T>(string name, T state)
{
    var path = Path.Combine(folder, name + ".bin");
    File.WriteAllBytes(path, storage.Serialize(state).ToArray());
    Console.WriteLine($"{path}: {new FileInfo(path).Length} bytes");
}

// The sample user is user 7 of tenant "default", "alice"; its password is "Fixture-Password-2026": the upgrade
// test stores it in place of a user 7 it created and logs in with it.
var hasher = new PasswordHasher(Options.Create(new PasswordHashingOptions()));
var user = new UserState
{
    Profile = new UserProfile("default", 7, "alice", "alice@example.com", UserTypes.User, UserStatus.Active, true, "fr", "Europe/Paris", created, created.AddDays(3)),
    PasswordHash = hasher.Hash("Fixture-Password-2026"),
};
user.Sessions["s-rotated"] = new Session
{
    Id = "s-rotated", Kind = SessionKinds.Login, CreatedAt = created, ExpiresAt = forever,
    RefreshJti = "r-2", RefreshIssuedAt = created.AddMinutes(20).ToUnixTimeSeconds(), LastUsedAt = created.AddMinutes(20),
    PreviousRefreshJti = "r-1", PreviousRotatedAt = created.AddMinutes(20), SuccessorPresented = false,
    RotationAnswer = new AccessAnswer("a-2", created.AddMinutes(20).ToUnixTimeSeconds(), created.AddMinutes(35).ToUnixTimeSeconds()),
    ClientId = "warehouse-app",
};
user.Sessions["s-revoked"] = new Session
{
    Id = "s-revoked", Kind = SessionKinds.Login, CreatedAt = created, ExpiresAt = created.AddDays(30),
    RefreshJti = "r-9", RefreshIssuedAt = created.ToUnixTimeSeconds(),
    Revoked = true, RevokedReason = RevocationReasons.Logout, RevokedAt = created.AddHours(1),
};
user.Sessions["s-app"] = new Session
{
    Id = "s-app", Kind = SessionKinds.Application, Name = "nightly export", CreatedAt = created, ExpiresAt = null,
};
// Since shape 2: the user's Entra link.
user.Shape = StateShapes.Current;
user.Sso = new SsoLink("00000000-0000-0000-0000-0000000000e1", "00000000-0000-0000-0000-00000000a11c");
Write("user", user);

var tenant = new TenantState
{
    Shape = StateShapes.Current,
    Info = new TenantInfo("acme", "Acme Corp", false, created,
        TenantSettings.Default with
        {
            RefreshTokenRotation = true, AccessTokenLifetimeSeconds = 600, MaxSessionsPerUser = 50, PasswordMinLength = 12,
            // Since shape 2: single sign-on and the signing algorithm.
            Sso = new SsoSettings
            {
                Authority = "https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000e1/v2.0",
                ClientId = "11111111-2222-3333-4444-555555555555",
                EntraTenantIds = ["00000000-0000-0000-0000-0000000000e1"],
                AutoProvision = true,
            },
            SigningAlgorithm = "ES256",
        },
        [
            new SigningKeyVersion("k1", "m1", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], created, created.AddDays(2)),
            new SigningKeyVersion("k2", "m1", [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], created.AddDays(1), null),
            // Since shape 2: an ES256 version (sample bytes, not a usable key).
            new SigningKeyVersion("k3", "m1", [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], created.AddDays(2), null,
                "ES256", [1, 2, 3], [4, 5, 6]),
        ],
        "k3", 6),
    LastUserId = 42,
    Bootstrapped = true,
    ActiveAdmins = [1, 7],
};
Write("tenant", tenant);

Write("name", new UniqueNameState { OwnerId = 7, Confirmed = true, ReservedAt = created, Shape = StateShapes.Current });
// Since shape 2.
Write("ssolink", new SsoLinkState { UserId = 7, Confirmed = true, Shape = StateShapes.Current });

var catalog = new TenantCatalogState { Version = 3, Shape = StateShapes.Current };
catalog.Tenants["acme"] = new TenantEntry("acme", "Acme Corp", false, created);
catalog.Tenants["globex"] = new TenantEntry("globex", "Globex", true, created.AddDays(1));
Write("catalog", catalog);
return 0;
