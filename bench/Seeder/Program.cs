using System.Diagnostics;
using System.Globalization;
using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Passwords;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

// Seeder: creates USERS users (type user) in a tenant through the cluster's own grains, all with one
// password hashed once (an Argon2id hash per user would take most of an hour for 100,000 users), then
// opens SESSIONS sessions for each the way a login does once the password has matched
// (IUserGrain.BeginLogin + CompleteLogin). A measurement aid: it connects as a cluster client, so it
// must run where the cluster is reachable and trusted.
//
//   dotnet bench/Seeder/bin/Release/net10.0/Seeder.dll --connection "Host=127.0.0.1;Port=P;Database=itempath;Username=postgres" \
//       [--tenant default] [--users 1000] [--sessions 1] [--prefix seed] [--parallelism 32]
//       [--cluster-id itempath] [--service-id itempath]
//
// stdout: one JSON line {"users","sessionsPerUser","created","existing","sessions","seconds"}.

var options = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["tenant"] = "default", ["users"] = "1000", ["sessions"] = "1", ["prefix"] = "seed", ["parallelism"] = "32",
    ["cluster-id"] = "itempath", ["service-id"] = "itempath", ["password"] = "Seed-Pass-2026!",
};
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length || (!options.ContainsKey(args[i][2..]) && args[i] != "--connection"))
    {
        Console.Error.WriteLine($"Seeder: bad argument '{args[i]}' (see the comment at the top of bench/Seeder/Program.cs)");
        return 2;
    }
    options[args[i][2..]] = args[++i];
}
if (!options.TryGetValue("connection", out var connection))
{
    Console.Error.WriteLine("Seeder: --connection is required");
    return 2;
}
int Int(string name, int min, int max) =>
    int.TryParse(options[name], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
        ? v : throw new ArgumentException($"--{name} must be from {min} to {max}");
var users = Int("users", 1, 1_000_000);
var sessions = Int("sessions", 0, 200);
var parallelism = Int("parallelism", 1, 256);
var tenant = options["tenant"];
var prefix = options["prefix"];

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleansClient(client =>
{
    client.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = options["cluster-id"];
        o.ServiceId = options["service-id"];
    });
    client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
    client.UseAdoNetClustering(o =>
    {
        o.Invariant = "Npgsql";
        o.ConnectionString = connection;
    });
});
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IClusterClient>();

var info = await grains.GetGrain<ITenantGrain>(tenant).Get();
if (info is null)
{
    Console.Error.WriteLine($"Seeder: no tenant '{tenant}'");
    return 1;
}
var hash = new PasswordHasher(Options.Create(new PasswordHashingOptions())).Hash(options["password"]);
var registry = grains.GetGrain<IUserRegistryGrain>(0);

long created = 0, existing = 0, opened = 0, done = 0;
var clock = Stopwatch.StartNew();
using var progress = new Timer(_ => Console.Error.WriteLine(
    $"seeder: {Interlocked.Read(ref done)}/{users} users, {Interlocked.Read(ref opened)} sessions, {clock.Elapsed.TotalSeconds:0} s"), null, 10_000, 10_000);

await Parallel.ForEachAsync(Enumerable.Range(1, users), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (n, _) =>
{
    var name = $"{prefix}-{n:D6}";
    var result = await registry.CreateUser(tenant, new NewUser(name, null, null, UserTypes.User, false, null, "en", "UTC", hash));
    int id;
    if (result.Error == UserChangeError.None)
    {
        Interlocked.Increment(ref created);
        id = result.User!.Id;
    }
    else if (result.Error == UserChangeError.UsernameTaken)
    {
        var page = await registry.ListUsers(tenant, new UserQuery(name, null, null, null, 50, 1));
        if (page.Users.FirstOrDefault(u => string.Equals(u.Username, name, StringComparison.OrdinalIgnoreCase)) is not { } found)
            throw new InvalidOperationException($"{name} is taken but not listed");
        Interlocked.Increment(ref existing);
        id = found.Id;
    }
    else throw new InvalidOperationException($"creating {name} failed: {result.Error} {result.Detail}");

    var user = grains.GetGrain<IUserGrain>(GrainKeys.User(tenant, id));
    // The tenant version the grains check their settings against travels with the calls, as from an API node.
    SeenTenantVersion.Carry(tenant, info.Version);
    for (var s = 0; s < sessions; s++)
    {
        var permit = await user.BeginLogin("127.0.0.1");
        if (!permit.Allowed) throw new InvalidOperationException($"{name}: login not allowed");
        var login = await user.CompleteLogin(permit.PermitId, passwordMatched: true, rehashedPassword: null);
        if (login.Error != TokenError.None) throw new InvalidOperationException($"{name}: session refused: {login.Error}");
        Interlocked.Increment(ref opened);
    }
    Interlocked.Increment(ref done);
});

Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"users\":{users},\"sessionsPerUser\":{sessions},\"created\":{created},\"existing\":{existing},\"sessions\":{opened},\"seconds\":{clock.Elapsed.TotalSeconds:0.0}}}"));
await host.StopAsync();
return 0;
