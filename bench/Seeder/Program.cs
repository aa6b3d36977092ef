using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
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
//       [--cluster-id itempath] [--service-id itempath] [--tokens FILE]
//
// stdout: one JSON line {"users","sessionsPerUser","created","existing","sessions","seconds"}; --tokens
// writes the sessions' tokens as with --tenants (below).
//
// With --tenants N (N > 0) it seeds many tenants instead (the bulk path, docs/benchmark.md):
//
//       --tenants N [--tenant-prefix ten] [--users-per-tenant 10] [--tenant-sessions 1] [--tokens FILE] [--parallelism 32]
//
// tenants TP-00001.. are created through ITenantAdminGrain.CreateTenants in batches of 250 (one
// catalog write per batch), each with its first admin "admin" (whose password hash is the shared one:
// no hash per tenant); then USERS_PER_TENANT - 1 more users "user-02".. per tenant (so each tenant has
// USERS_PER_TENANT users), and TENANT_SESSIONS sessions per tenant, on its users in turn (tenant n's
// first session on user 2 + (n mod (M - 1)), so every user position is used). Tenants and users that
// exist already are kept (a second run adds what is missing). --tokens writes one line per session
// opened, "tenant<TAB>access token<TAB>refresh token" (file mode 600): the load generator's --tokens.
// stdout: {"tenants","tenantsCreated","tenantSeconds","usersPerTenant","usersCreated","usersExisting","sessions","seconds"}.

var options = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["tenant"] = "default", ["users"] = "1000", ["sessions"] = "1", ["prefix"] = "seed", ["parallelism"] = "32",
    ["cluster-id"] = "itempath", ["service-id"] = "itempath", ["password"] = "Seed-Pass-2026!",
    ["tenants"] = "0", ["tenant-prefix"] = "ten", ["users-per-tenant"] = "10", ["tenant-sessions"] = "1", ["tokens"] = "",
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
var tenantCount = Int("tenants", 0, 1_000_000);
var usersPerTenant = Int("users-per-tenant", 1, 1000);
var tenantSessions = Int("tenant-sessions", 0, 100);

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

if (tenantCount > 0) return await SeedTenants.RunAsync(grains, tenantCount, options["tenant-prefix"], usersPerTenant, tenantSessions,
    options["tokens"], parallelism, options["password"], host);

var info = await grains.GetGrain<ITenantGrain>(tenant).Get();
if (info is null)
{
    Console.Error.WriteLine($"Seeder: no tenant '{tenant}'");
    return 1;
}
var hash = new PasswordHasher(Options.Create(new PasswordHashingOptions())).Hash(options["password"]);
var registry = grains.GetGrain<IUserRegistryGrain>(0);

long created = 0, existing = 0, opened = 0, done = 0;
var singleTokens = new ConcurrentBag<string>();
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
        singleTokens.Add($"{tenant}\t{login.Access!.Token}\t{login.Refresh!.Token}");
        Interlocked.Increment(ref opened);
    }
    Interlocked.Increment(ref done);
});

if (options["tokens"].Length > 0) SeedTenants.WriteTokens(options["tokens"], singleTokens);
Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"users\":{users},\"sessionsPerUser\":{sessions},\"created\":{created},\"existing\":{existing},\"sessions\":{opened},\"seconds\":{clock.Elapsed.TotalSeconds:0.0}}}"));
await host.StopAsync();
return 0;

/// <summary>--tenants: many tenants through the bulk path, their users, sessions and the tokens file.</summary>
internal static class SeedTenants
{
    /// <summary>The sessions' tokens, one line each: secrets, readable by this user only; sorted, so the load generator's slices are spread.</summary>
    public static void WriteTokens(string path, IEnumerable<string> lines)
    {
        var mode = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) mode.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, mode);
        using var writer = new StreamWriter(file, new UTF8Encoding(false));
        foreach (var line in lines.OrderBy(l => l, StringComparer.Ordinal)) writer.WriteLine(line);
    }

    private const int Batch = 250;

    public static async Task<int> RunAsync(IClusterClient grains, int count, string prefix, int usersPerTenant, int sessionsPerTenant,
        string tokensFile, int parallelism, string password, IHost host)
    {
        if (!TenantIds.IsValid($"{prefix}-{count:D5}")) throw new ArgumentException("--tenant-prefix must make valid tenant ids (^[a-z0-9][a-z0-9-]{0,62}$)");
        var hash = new PasswordHasher(Options.Create(new PasswordHashingOptions())).Hash(password);
        var ids = Enumerable.Range(1, count).Select(n => $"{prefix}-{n:D5}").ToArray();
        var clock = Stopwatch.StartNew();

        // 1. The tenants, each with its admin, in batches (a few at once: each runs 32 tenants at a time).
        long tenantsCreated = 0, tenantsDone = 0;
        var versions = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var admin = grains.GetGrain<ITenantAdminGrain>(0);
        using (new Timer(_ => Console.Error.WriteLine($"seeder: {Interlocked.Read(ref tenantsDone)}/{count} tenants, {clock.Elapsed.TotalSeconds:0} s"), null, 10_000, 10_000))
        {
            await Parallel.ForEachAsync(ids.Chunk(Batch), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (chunk, _) =>
            {
                var results = await admin.CreateTenants([.. chunk.Select(id => new NewTenant(id, "Tenant " + id, "admin", hash))]);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (results[i].Error == TenantChangeError.None)
                    {
                        Interlocked.Increment(ref tenantsCreated);
                        versions[chunk[i]] = results[i].Tenant!.Version;
                    }
                    else if (results[i].Error != TenantChangeError.AlreadyExists)
                        throw new InvalidOperationException($"creating tenant {chunk[i]} failed: {results[i].Error} {results[i].Detail}");
                }
                Interlocked.Add(ref tenantsDone, chunk.Length);
            });
        }
        var tenantSeconds = clock.Elapsed.TotalSeconds;

        // 2. The users and the sessions: tenant n's sessions on its users 2.. in turn (the admin, user 1,
        // only when the tenant has no other user).
        long usersCreated = 0, usersExisting = 0, opened = 0, done = 0;
        var tokens = new ConcurrentBag<string>();
        var registry = grains.GetGrain<IUserRegistryGrain>(0);
        var others = usersPerTenant - 1;
        var work = ids.SelectMany((id, n) => Enumerable.Range(2, others).Select(u => (Tenant: id, N: n, User: u))
            .Append((Tenant: id, N: n, User: 1)));
        using (new Timer(_ => Console.Error.WriteLine(
            $"seeder: {Interlocked.Read(ref done)}/{(long)count * usersPerTenant} users, {Interlocked.Read(ref opened)} sessions, {clock.Elapsed.TotalSeconds:0} s"), null, 10_000, 10_000))
        {
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, _) =>
            {
                var sessions = Enumerable.Range(0, sessionsPerTenant)
                    .Count(k => (others == 0 ? 1 : 2 + (item.N + k) % others) == item.User);
                Interlocked.Increment(ref done);
                if (item.User == 1 && sessions == 0) return;   // the admin, made with its tenant
                var name = item.User == 1 ? "admin" : $"user-{item.User:D2}";
                int id;
                if (item.User == 1)
                {
                    id = await grains.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName(item.Tenant, UniqueNameKind.Username, GrainKeys.NormalizeName(name))).Lookup()
                         ?? throw new InvalidOperationException($"{item.Tenant} has no admin");
                }
                else
                {
                    var result = await registry.CreateUser(item.Tenant, new NewUser(name, null, null, UserTypes.User, false, null, "en", "UTC", hash));
                    if (result.Error == UserChangeError.None)
                    {
                        Interlocked.Increment(ref usersCreated);
                        id = result.User!.Id;
                    }
                    else if (result.Error == UserChangeError.UsernameTaken)
                    {
                        Interlocked.Increment(ref usersExisting);
                        id = await grains.GetGrain<IUniqueNameGrain>(GrainKeys.UniqueName(item.Tenant, UniqueNameKind.Username, GrainKeys.NormalizeName(name))).Lookup()
                             ?? throw new InvalidOperationException($"{item.Tenant}/{name} is taken but not found");
                    }
                    else throw new InvalidOperationException($"creating {item.Tenant}/{name} failed: {result.Error} {result.Detail}");
                }
                if (versions.TryGetValue(item.Tenant, out var version)) SeenTenantVersion.Carry(item.Tenant, version);
                var user = grains.GetGrain<IUserGrain>(GrainKeys.User(item.Tenant, id));
                for (var s = 0; s < sessions; s++)
                {
                    var permit = await user.BeginLogin("127.0.0.1");
                    if (!permit.Allowed) throw new InvalidOperationException($"{item.Tenant}/{name}: login not allowed");
                    var login = await user.CompleteLogin(permit.PermitId, passwordMatched: true, rehashedPassword: null);
                    if (login.Error != TokenError.None) throw new InvalidOperationException($"{item.Tenant}/{name}: session refused: {login.Error}");
                    tokens.Add($"{item.Tenant}\t{login.Access!.Token}\t{login.Refresh!.Token}");
                    Interlocked.Increment(ref opened);
                }
            });
        }

        if (tokensFile.Length > 0) WriteTokens(tokensFile, tokens);

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"tenants\":{count},\"tenantsCreated\":{tenantsCreated},\"tenantSeconds\":{tenantSeconds:0.0},\"usersPerTenant\":{usersPerTenant},\"usersCreated\":{usersCreated},\"usersExisting\":{usersExisting},\"sessions\":{opened},\"seconds\":{clock.Elapsed.TotalSeconds:0.0}}}"));
        await host.StopAsync();
        return 0;
    }
}
