using ItemPathOrleans.ClusterNode.Tokens;
using Microsoft.Extensions.Configuration;

namespace ItemPathOrleans.Testing;

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
        // The cheapest Argon2id the options allow: tests log in thousands of times, and what they
        // check of hashing does not depend on its cost. Tests of the production cost set it back
        // (ProductionHashing).
        ["Passwords:MemoryKib"] = "8192",
        ["Passwords:Iterations"] = "1",
    };

    /// <summary>The production Argon2id parameters (the options' defaults), for tests about hashing itself.</summary>
    public static IReadOnlyDictionary<string, string?> ProductionHashing { get; } = new Dictionary<string, string?>
    {
        ["Passwords:MemoryKib"] = "19456",
        ["Passwords:Iterations"] = "2",
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
