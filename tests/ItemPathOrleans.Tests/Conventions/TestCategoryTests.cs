namespace ItemPathOrleans.Tests.Conventions;

/// <summary>
/// Every test class of this project names what it needs (Cluster, HTTP, PostgreSQL or Interop), so
/// a part can be run alone with <c>--filter Category=…</c>; unit tests live in ItemPathOrleans.UnitTests.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class TestCategoryTests
{
    [Fact]
    public void Every_test_class_names_one_category_and_none_is_a_unit_test()
    {
        var violations = TestCategoryRule.Violations(typeof(TestCategoryTests).Assembly,
            new HashSet<string> { TestCategory.Cluster, TestCategory.Http, TestCategory.Postgres, TestCategory.Interop });
        // This class checks a rule and is the one unit test here.
        violations = [.. violations.Where(v => !v.StartsWith(typeof(TestCategoryTests).FullName + ":", StringComparison.Ordinal))];
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }
}
