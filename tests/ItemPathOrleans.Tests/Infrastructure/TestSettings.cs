using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.Extensions.Configuration;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>The configuration every test host shares: one master key, one admin password.</summary>
public static class TestSettings
{
    public const string AdminPassword = "Admin-Pass-4-Tests";
    public const string MasterKeyId = "test-m1";
    public static readonly string MasterSecret = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());
    public const string Issuer = "http://127.0.0.1:5080";

    public static Dictionary<string, string?> Values(string? connectionString = null) => new()
    {
        ["Tokens:Issuer"] = Issuer,
        ["Tokens:MasterKeys:0:Id"] = MasterKeyId,
        ["Tokens:MasterKeys:0:Secret"] = MasterSecret,
        ["Bootstrap:AdminPassword"] = AdminPassword,
        ["ConnectionStrings:ItemPath"] = connectionString,
        // Every in-process request comes from the same (unknown) address: the per-address limit
        // is tested on its own, with its own settings.
        ["RateLimit:FailedLoginsPerMinute"] = "0",
    };

    public static IConfiguration Configuration(string? connectionString = null, IReadOnlyDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(Values(connectionString)).AddInMemoryCollection(overrides ?? new Dictionary<string, string?>()).Build();

    public static TokensOptions Tokens() => new()
    {
        Issuer = Issuer,
        MasterKeys = [new MasterKey { Id = MasterKeyId, Secret = MasterSecret }],
    };

    /// <summary>
    /// The PostgreSQL server that ./test.sh starts. Tests that need it fail (never skip) without it.
    /// </summary>
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("ITEMPATH_TEST_PG") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("ITEMPATH_TEST_PG is not set: run the suite with ./test.sh, which starts PostgreSQL.");
}
