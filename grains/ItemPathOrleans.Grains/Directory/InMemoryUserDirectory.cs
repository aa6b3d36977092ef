using System.Collections.Concurrent;
using ItemPathOrleans.Contracts.Grains;
using ItemPathOrleans.Contracts.Model;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace ItemPathOrleans.Grains.Directory;

/// <summary>
/// The user directory for fast tests and storage-less development runs. Every silo of one
/// service in this process shares one store (keyed by service id), as they would share the
/// PostgreSQL table; separate test clusters stay separate.
/// </summary>
public sealed class InMemoryUserDirectory(IOptions<ClusterOptions> cluster) : IUserDirectory
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<(string Tenant, int Id), UserProfile>> Services = new();

    private ConcurrentDictionary<(string Tenant, int Id), UserProfile> Users =>
        Services.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public Task UpsertAsync(UserProfile user, CancellationToken cancellationToken = default)
    {
        Users[(user.Tenant, user.Id)] = user;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string tenant, int userId, CancellationToken cancellationToken = default)
    {
        Users.TryRemove((tenant, userId), out _);
        return Task.CompletedTask;
    }

    public Task<UserPage> QueryAsync(string tenant, UserQuery query, CancellationToken cancellationToken = default)
    {
        var matches = Users.Values
            .Where(u => u.Tenant == tenant)
            .Where(u => query.UsernamePrefix is null || GrainKeys.NormalizeName(u.Username).StartsWith(GrainKeys.NormalizeName(query.UsernamePrefix), StringComparison.Ordinal))
            .Where(u => query.EmailPrefix is null || (u.Email is not null && GrainKeys.NormalizeName(u.Email).StartsWith(GrainKeys.NormalizeName(query.EmailPrefix), StringComparison.Ordinal)))
            .Where(u => query.Type is null || u.Type == query.Type)
            .Where(u => query.Status is null || u.Status == query.Status)
            .Where(u => query.IsAdmin is null || u.IsAdmin == query.IsAdmin)
            .OrderBy(u => u.Id)
            .ToList();
        var page = matches.Skip((int)Math.Min(int.MaxValue, (long)query.Page * query.Limit)).Take(query.Limit).ToList();
        return Task.FromResult(new UserPage(page, matches.Count));
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);
}
