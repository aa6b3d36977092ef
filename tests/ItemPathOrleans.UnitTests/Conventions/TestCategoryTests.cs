namespace ItemPathOrleans.UnitTests.Conventions;

/// <summary>
/// This project holds unit tests only, so that <c>./test.sh --fast</c> (which runs it alone) means
/// what it says: every test class here is in the Unit category, and none starts a cluster.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class TestCategoryTests
{
    [Fact]
    public void Every_test_class_is_a_unit_test()
    {
        var violations = TestCategoryRule.Violations(typeof(TestCategoryTests).Assembly, new HashSet<string> { TestCategory.Unit });
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Nothing_here_can_start_a_cluster_or_a_test_server()
    {
        var references = typeof(TestCategoryTests).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Orleans.TestingHost", references);
        Assert.DoesNotContain("Microsoft.AspNetCore.Mvc.Testing", references);
        Assert.DoesNotContain("Microsoft.AspNetCore.TestHost", references);
    }

    [Fact]
    public void The_rule_names_a_class_without_a_category_with_two_or_with_another()
    {
        var unit = new HashSet<string> { TestCategory.Unit };
        Assert.Equal([typeof(Uncategorized).FullName + ": 0 categories (one of Unit expected)"],
            TestCategoryRule.Violations([typeof(Uncategorized)], unit));
        Assert.Equal([typeof(TwoCategories).FullName + ": 2 categories (one of Unit expected)"],
            TestCategoryRule.Violations([typeof(TwoCategories)], unit));
        Assert.Equal([typeof(ClusterCategory).FullName + ": category 'Cluster' (one of Unit expected)"],
            TestCategoryRule.Violations([typeof(ClusterCategory)], unit));
        Assert.Empty(TestCategoryRule.Violations([typeof(TestCategoryTests), typeof(NotATestClass)], unit));
    }

    // Private, so xunit does not run them; the rule is shown them directly.
#pragma warning disable xUnit1000 // test classes must be public: these must not be run
    private sealed class Uncategorized
    {
        [Fact] public void Test() { }
    }

    [Trait(TestCategory.Name, TestCategory.Unit), Trait(TestCategory.Name, TestCategory.Http)]
    private sealed class TwoCategories
    {
        [Theory, InlineData(1)] public void Test(int _) { }
    }

    [Trait(TestCategory.Name, TestCategory.Cluster), Trait("Owner", "anyone")]
    private sealed class ClusterCategory
    {
        [Fact] public void Test() { }
    }

#pragma warning restore xUnit1000

    private sealed class NotATestClass
    {
        public void Helper() { }
    }
}
