using System.Security.Cryptography;
using ItemPathOrleans.ClusterNode.Hosting;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using ItemPathOrleans.Grains.Security;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;

namespace ItemPathOrleans.Silo;

/// <summary>
/// Operator commands run beside a running cluster (<c>ItemPathOrleans.Silo admin ...</c>, or
/// <c>./run.sh admin ...</c>): the program joins the cluster as a client through the membership
/// table, with the silos' own configuration, and calls the grains directly. Nothing here is
/// reachable over HTTP.
/// </summary>
public static class AdminCommand
{
    public const string Usage = """
        usage: admin reset-password --tenant TENANT --user USERNAME
               admin retire-master-key --master-key ID (--tenant TENANT | --all-tenants)
               admin grains
        """;
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private const int PasswordLength = 24;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        Func<IClusterClient, Task<int>>? command = args switch
        {
            ["reset-password", .. var rest] when Options(rest, "tenant", "user") is { } o && o.ContainsKey("tenant") && o.ContainsKey("user")
                => client => ResetPasswordAsync(client, o["tenant"], o["user"], output, errors),
            ["retire-master-key", .. var rest] when Options(rest, "master-key", "tenant", "all-tenants") is { } o
                && o.ContainsKey("master-key") && o.ContainsKey("tenant") != o.ContainsKey("all-tenants")
                => client => RetireMasterKeyAsync(client, o["master-key"], o.GetValueOrDefault("tenant"), output, errors),
            ["grains"] => client => GrainsAsync(client, output),
            _ => null,
        };
        if (command is null)
        {
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder([]);
        // Standard output carries the answer only: warnings and errors go to standard error.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
        var connectionString = builder.Configuration.GetConnectionString(ItemPathSilo.ConnectionStringName);
        if (string.IsNullOrEmpty(connectionString))
        {
            await errors.WriteLineAsync("admin: ConnectionStrings__ItemPath is not set: the command joins the running cluster through its membership table in PostgreSQL");
            return 2;
        }
        var silo = builder.Configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = silo.ClusterId;
                o.ServiceId = silo.ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = ItemPathSilo.Invariant;
                o.ConnectionString = connectionString;
            });
            client.UseItemPathTls(builder.Configuration);
        });
        using var host = builder.Build();
        using (var connect = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                await host.StartAsync(connect.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or OrleansException or TimeoutException)
            {
                await errors.WriteLineAsync($"admin: could not reach a silo of cluster '{silo.ClusterId}' in 30 s: is the service running? ({e.GetType().Name})");
                return 1;
            }
        }

        try
        {
            return await command(host.Services.GetRequiredService<IClusterClient>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<int> ResetPasswordAsync(IClusterClient client, string tenant, string username, TextWriter output, TextWriter errors)
    {
        var password = RandomNumberGenerator.GetString(PasswordAlphabet, PasswordLength);
        var result = await client.GetGrain<IUserRegistryGrain>(0).ResetAdminPassword(tenant, username, password);
        if (result.Error != UserChangeError.None)
        {
            await errors.WriteLineAsync($"admin: refused: {result.Detail}");
            return 1;
        }
        // The only place the password ever appears: this terminal, once.
        await output.WriteLineAsync($"New password of admin '{result.User!.Username}' (user {result.User.Id}) of tenant '{tenant}', shown once:");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"    {password}");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"{result.Detail}; a security event '{SecurityEventNames.BreakGlassPasswordReset}' was recorded.");
        await output.WriteLineAsync("Log in with it and choose a new one: POST /api/users/me/password.");
        return 0;
    }

    /// <summary>
    /// Where the grains live: per silo, the activations of each of this service's grain types
    /// (Orleans' own system grains left out), then the silo's total; every active silo, even one
    /// without activations. Tab-separated, one line each.
    /// </summary>
    private static async Task<int> GrainsAsync(IClusterClient client, TextWriter output)
    {
        var management = client.GetGrain<IManagementGrain>(0);
        var silos = (await management.GetHosts(onlyActive: true)).Keys.Select(s => s.ToString()).Order(StringComparer.Ordinal);
        var statistics = (await management.GetSimpleGrainStatistics()).ToLookup(s => s.SiloAddress.ToString());
        await output.WriteLineAsync("silo\tgrain\tactivations");
        foreach (var silo in silos)
        {
            var ours = statistics[silo].Where(s => s.GrainType.StartsWith("ItemPathOrleans.", StringComparison.Ordinal))
                .GroupBy(s => ShortName(s.GrainType))
                .Select(g => (Type: g.Key, Count: g.Sum(s => s.ActivationCount)))
                .OrderBy(g => g.Type, StringComparer.Ordinal)
                .ToList();
            foreach (var (type, count) in ours) await output.WriteLineAsync($"{silo}\t{type}\t{count}");
            await output.WriteLineAsync($"{silo}\ttotal\t{ours.Sum(g => g.Count)}");
        }
        return 0;
    }

    /// <summary><c>ItemPathOrleans.Grains.Users.UserGrain,ItemPathOrleans.Grains</c> → <c>UserGrain</c>.</summary>
    private static string ShortName(string grainType)
    {
        var name = grainType.Split(',')[0];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    /// <summary>
    /// After a master key is lost: in each tenant, a new current signing key version (derived from
    /// the silos' current master key) if the current one derives from the lost key, then every
    /// version derived from it retired, so every token signed with them stops at once.
    /// </summary>
    private static async Task<int> RetireMasterKeyAsync(IClusterClient client, string masterKeyId, string? only, TextWriter output, TextWriter errors)
    {
        var tenants = only is not null ? [only] : (await client.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key).GetAll()).Tenants.Keys.Order(StringComparer.Ordinal).ToList();
        var failed = 0;
        foreach (var id in tenants)
        {
            var grain = client.GetGrain<ITenantGrain>(id);
            if (await grain.Get() is not { } info)
            {
                await errors.WriteLineAsync($"admin: {id}: no such tenant");
                failed++;
                continue;
            }
            var done = new List<string>();
            if (info.FindKey(info.CurrentKid)?.MasterKeyId == masterKeyId)
            {
                info = await grain.RotateKey();
                var current = info.FindKey(info.CurrentKid)!;
                if (current.MasterKeyId == masterKeyId)
                {
                    await errors.WriteLineAsync($"admin: {id}: the silos still derive new key versions from '{masterKeyId}' ({current.Kid} is new and derives from it): " +
                        "configure a new master key and Tokens__CurrentMasterKeyId on every node, restart the silos, then run this again");
                    return 1;
                }
                done.Add($"rotated to {current.Kid} (master key {current.MasterKeyId})");
            }
            var retired = new List<string>();
            foreach (var key in info.Keys.Where(k => k.MasterKeyId == masterKeyId && k.RetiredAt is null))
            {
                var (_, error) = await grain.RetireKey(key.Kid);
                if (error == KeyRetireError.None) retired.Add(key.Kid);
                else
                {
                    await errors.WriteLineAsync($"admin: {id}: {key.Kid} could not be retired ({error})");
                    failed++;
                }
            }
            done.Add(retired.Count == 0 ? "nothing to retire" : $"retired {string.Join(", ", retired)}");
            await output.WriteLineAsync($"{id}: {string.Join("; ", done)}");
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// <c>--name value</c> or <c>--name=value</c> pairs of the <paramref name="allowed"/> names
    /// (<c>--all-tenants</c> takes no value); null for anything else or a repeated name.
    /// </summary>
    private static Dictionary<string, string>? Options(string[] args, params string[] allowed)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return null;
            var name = args[i][2..];
            string value;
            if (name == "all-tenants" && allowed.Contains(name))
            {
                if (!options.TryAdd(name, "")) return null;
                continue;
            }
            if (name.IndexOf('=') is var eq and >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                return null;
            }
            if (!allowed.Contains(name) || value.Length == 0 || !options.TryAdd(name, value)) return null;
        }
        return options;
    }
}
