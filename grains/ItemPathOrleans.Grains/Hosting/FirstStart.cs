using System.Security.Cryptography;
using ItemPathOrleans.Contracts;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace ItemPathOrleans.Grains.Hosting;

/// <summary>
/// First start: creates tenant <c>default</c> and its admin <c>admin</c>, with the password from
/// <c>Bootstrap:AdminPassword</c> or a generated one printed once. Safe when several silos
/// start together: the unique-name grain lets exactly one of them create the admin.
/// </summary>
public sealed partial class FirstStart(IGrainFactory grains, IConfiguration configuration, ILogger<FirstStart> logger)
{
    public const string DefaultTenant = "default";
    public const string AdminUsername = "admin";

    public const int Attempts = 5;

    /// <summary>
    /// Silos that start together on an empty database can meet a duplicate activation while
    /// membership settles: its write fails on the storage ETag and the activation is dropped. Each
    /// step is idempotent, so the whole first start runs again on the activation that holds.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunOnceAsync();
                return;
            }
            catch (Exception ex) when (attempt < Attempts && !cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                LogRetry(logger, ex, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
            }
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is InconsistentStateException or StorageUnavailableException or TimeoutException or SiloUnavailableException or OrleansMessageRejectionException
        || (ex.InnerException is { } inner && IsTransient(inner));

    private async Task RunOnceAsync()
    {
        var tenant = grains.GetGrain<ITenantGrain>(DefaultTenant);
        var info = await tenant.EnsureCreated("Default");
        await grains.GetGrain<ITenantCatalogGrain>(ITenantCatalogGrain.Key)
            .Put(new TenantEntry(info.Id, info.Name, info.Disabled, info.CreatedAt));
        if (await tenant.IsBootstrapped()) return;

        var configured = configuration["Bootstrap:AdminPassword"];
        var password = string.IsNullOrEmpty(configured) ? GeneratePassword() : configured;
        var result = await grains.GetGrain<IUserRegistryGrain>(0).CreateUser(DefaultTenant,
            new NewUser(AdminUsername, password, null, UserTypes.User, true, UserStatus.Active, "en", "UTC"));

        switch (result.Error)
        {
            case UserChangeError.None:
                LogAdminCreated(logger, DefaultTenant);
                if (string.IsNullOrEmpty(configured))
                {
                    // Printed once, to the console only: it is not a log event and reaches no log sink.
                    Console.Out.WriteLine($"Generated admin password: {password}");
                    Console.Out.Flush();
                }
                break;
            case UserChangeError.UsernameTaken:
                break; // another silo created it first
            default:
                throw new InvalidOperationException($"Cannot create the first admin: {result.Detail} (Bootstrap:AdminPassword).");
        }
        await tenant.MarkBootstrapped();
    }

    private static string GeneratePassword()
    {
        const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        return RandomNumberGenerator.GetString(Alphabet, 20);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "First start, attempt {Attempt}, did not complete; starting again")]
    private static partial void LogRetry(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first admin 'admin' of tenant {Tenant}")]
    private static partial void LogAdminCreated(ILogger logger, string tenant);
}
