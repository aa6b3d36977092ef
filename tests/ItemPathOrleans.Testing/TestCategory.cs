namespace ItemPathOrleans.Testing;

/// <summary>
/// The category every test class carries as <c>[Trait(TestCategory.Name, TestCategory.X)]</c>, so
/// a part of the suite can be run alone: <c>dotnet test --filter Category=Unit</c>.
/// </summary>
public static class TestCategory
{
    public const string Name = "Category";

    /// <summary>Plain classes in memory: no silo, no server, no database, no other process.</summary>
    public const string Unit = "Unit";

    /// <summary>An in-process Orleans cluster with in-memory storage.</summary>
    public const string Cluster = "Cluster";

    /// <summary>The HTTP API in a test server (with its in-process cluster), in-memory storage.</summary>
    public const string Http = "HTTP";

    /// <summary>Needs the PostgreSQL server that ./test.sh starts (ITEMPATH_TEST_PG).</summary>
    public const string Postgres = "PostgreSQL";

    /// <summary>Runs another program (Python, Node.js, Chromium) against the service.</summary>
    public const string Interop = "Interop";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Unit, Cluster, Http, Postgres, Interop };
}
