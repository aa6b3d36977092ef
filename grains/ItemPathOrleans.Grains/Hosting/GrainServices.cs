using ItemPathOrleans.ClusterNode.Tenants;
using ItemPathOrleans.ClusterNode.Tokens;
using ItemPathOrleans.Grains.Directory;
using ItemPathOrleans.Grains.Lockout;
using ItemPathOrleans.Grains.Passwords;
using ItemPathOrleans.Grains.Security;
using ItemPathOrleans.Grains.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ItemPathOrleans.Grains.Hosting;

public static class GrainServices
{
    /// <summary>
    /// The services the grains call. With a PostgreSQL connection string the user and client
    /// directories are the <c>itempath_users</c> and <c>itempath_clients</c> tables; without one
    /// (fast tests) they live in memory. With PostgreSQL each silo also sweeps what is past its retention (<see cref="RetentionSweeper"/>).
    /// </summary>
    public static IServiceCollection AddItemPathGrainServices(this IServiceCollection services, IConfiguration configuration, string? connectionString)
    {
        services.AddOptions<TokensOptions>().Bind(configuration.GetSection(TokensOptions.Section)).ValidateOnStart();
        services.AddOptions<PasswordHashingOptions>().Bind(configuration.GetSection(PasswordHashingOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TokensOptions>, StartupValidation>();
        services.AddSingleton<IValidateOptions<PasswordHashingOptions>, StartupValidation>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SigningKeyDerivation>();
        services.AddSingleton<EcSigningKeys>();
        services.AddSingleton<RsaSigningKeys>();
        services.AddSingleton<TokenMinter>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<PasswordHashingPool>();
        services.AddSingleton<TenantCache>();
        services.AddSingleton<UnknownNameThrottles>();
        services.AddSingleton<SecurityEvents>();
        if (string.IsNullOrEmpty(connectionString))
        {
            services.AddSingleton<IUserDirectory, InMemoryUserDirectory>();
            services.AddSingleton<IClientDirectory, InMemoryClientDirectory>();
            services.AddSingleton<InMemorySecurityEventStore>();
            services.AddSingleton<ISecurityEventStore>(sp => sp.GetRequiredService<InMemorySecurityEventStore>());
        }
        else
        {
            services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
            services.AddSingleton<IUserDirectory, PostgresUserDirectory>();
            services.AddSingleton<IClientDirectory, PostgresClientDirectory>();
            services.AddSingleton<ISecurityEventStore, PostgresSecurityEventStore>();
            services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateOnStart();
            services.AddSingleton<IValidateOptions<RetentionOptions>, StartupValidation>();
            services.AddSingleton<RetentionSweeper>();
            services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        }
        return services;
    }

    private sealed class StartupValidation :
        IValidateOptions<TokensOptions>, IValidateOptions<PasswordHashingOptions>, IValidateOptions<RetentionOptions>
    {
        public ValidateOptionsResult Validate(string? name, TokensOptions options) => Result(options.Validate());

        public ValidateOptionsResult Validate(string? name, PasswordHashingOptions options) => Result(options.Validate());

        public ValidateOptionsResult Validate(string? name, RetentionOptions options) => Result(options.Validate());

        private static ValidateOptionsResult Result(IEnumerable<string> errors)
        {
            var list = errors.ToList();
            return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
        }
    }
}
