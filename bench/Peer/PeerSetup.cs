using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Peer;

/// <summary>Set once the database, the client and the users are in place (GET /health answers 200 then).</summary>
public sealed class PeerReadiness
{
    private volatile bool _ready;
    public bool IsReady => _ready;
    public void MarkReady() => _ready = true;
}

/// <summary>Startup work, idempotent: schema, the <c>bench</c> client, the confidential bench clients, the bench users.</summary>
public static class PeerSetup
{
    public const string ClientId = "bench";

    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<PeerDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);

        var options = sp.GetRequiredService<IOptions<PeerOptions>>().Value;
        options.Validate();
        var applications = sp.GetRequiredService<IOpenIddictApplicationManager>();
        await RegisterClientAsync(applications, cancellationToken);
        await SeedClientsAsync(applications, options, cancellationToken);
        await SeedUsersAsync(db, sp.GetRequiredService<PasswordHasher>(), options, cancellationToken);

        sp.GetRequiredService<PeerReadiness>().MarkReady();
    }

    private static async Task RegisterClientAsync(IOpenIddictApplicationManager manager, CancellationToken cancellationToken)
    {
        if (await manager.FindByClientIdAsync(ClientId, cancellationToken) is not null) return;
        // A public client: no secret. "offline_access" needs no scope permission in OpenIddict 7
        // (it is a protocol scope: the refresh_token grant type permission governs it).
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "Benchmark load generator",
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.Password,
                Permissions.GrantTypes.RefreshToken,
            },
        }, cancellationToken);
    }

    /// <summary>
    /// The confidential clients of the client_credentials load, <c>{prefix}-client-0001</c>…: the
    /// secret goes through OpenIddict's own hashing (the application manager's defaults, a salted
    /// PBKDF2 per client), with the token endpoint, the client_credentials grant and the scope
    /// permitted. A client whose stored secret no longer matches <c>Peer:ClientSecret</c> is registered again.
    /// </summary>
    private static async Task SeedClientsAsync(IOpenIddictApplicationManager manager, PeerOptions options, CancellationToken cancellationToken)
    {
        for (var number = 1; number <= options.SeedClients; number++)
        {
            var clientId = options.ClientId(number);
            if (await manager.FindByClientIdAsync(clientId, cancellationToken) is { } existing)
            {
                if (await manager.ValidateClientSecretAsync(existing, options.ClientSecret, cancellationToken)) continue;
                await manager.DeleteAsync(existing, cancellationToken);
            }
            await manager.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = options.ClientSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = $"Benchmark client {number}",
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.GrantTypes.ClientCredentials,
                    Permissions.Prefixes.Scope + options.ClientScope,
                },
            }, cancellationToken);
        }
    }

    private static async Task SeedUsersAsync(PeerDbContext db, PasswordHasher hasher, PeerOptions options, CancellationToken cancellationToken)
    {
        if (options.SeedUsers == 0) return;
        var wanted = Enumerable.Range(1, options.SeedUsers).Select(options.UserName).ToList();
        var existing = await db.Users.AsNoTracking()
            .Where(u => wanted.Contains(u.UserName))
            .Select(u => u.UserName)
            .ToListAsync(cancellationToken);
        var missing = wanted.Except(existing, StringComparer.Ordinal).ToList();
        if (missing.Count == 0) return;

        // One hash shared by all bench users: seeding costs one Argon2id computation.
        var hash = await Task.Run(() => hasher.Hash(options.UserPassword), cancellationToken);
        db.Users.AddRange(missing.Select(name => new BenchUser { UserName = name, PasswordHash = hash }));
        await db.SaveChangesAsync(cancellationToken);
    }
}
