using System.Security.Cryptography;
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
    public const string Usage = "usage: admin reset-password --tenant TENANT --user USERNAME";
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private const int PasswordLength = 24;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        if (args is not ["reset-password", .. var rest] || Options(rest) is not { } options
            || !options.TryGetValue("tenant", out var tenant) || !options.TryGetValue("user", out var username))
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
            var password = RandomNumberGenerator.GetString(PasswordAlphabet, PasswordLength);
            var result = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IUserRegistryGrain>(0)
                .ResetAdminPassword(tenant, username, password);
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
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary><c>--name value</c> or <c>--name=value</c> pairs; null for anything else or a repeated name.</summary>
    private static Dictionary<string, string>? Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return null;
            var name = args[i][2..];
            string value;
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
            if (name is not ("tenant" or "user") || value.Length == 0 || !options.TryAdd(name, value)) return null;
        }
        return options;
    }
}
