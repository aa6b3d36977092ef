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

/// <summary>Startup work, idempotent: schema, the <c>bench</c> client, the bench users.</summary>
public static class PeerSetup
{
    public const string ClientId = "bench";

    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<PeerDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);

        await RegisterClientAsync(sp.GetRequiredService<IOpenIddictApplicationManager>(), cancellationToken);

        var options = sp.GetRequiredService<IOptions<PeerOptions>>().Value;
        options.Validate();
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
