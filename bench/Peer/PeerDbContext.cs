using Microsoft.EntityFrameworkCore;

namespace Peer;

public sealed class BenchUser
{
    public int Id { get; set; }
    public required string UserName { get; set; }
    public required string PasswordHash { get; set; }
}

/// <summary>OpenIddict's tables (applications, authorizations, scopes, tokens) plus Users.</summary>
public sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : DbContext(options)
{
    public DbSet<BenchUser> Users => Set<BenchUser>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<BenchUser>(user =>
        {
            user.ToTable("Users");
            user.Property(u => u.UserName).HasMaxLength(256);
            user.Property(u => u.PasswordHash).HasMaxLength(256);
            user.HasIndex(u => u.UserName).IsUnique();
        });
    }
}
