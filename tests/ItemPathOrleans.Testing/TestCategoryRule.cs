using System.Reflection;
using Xunit;

namespace ItemPathOrleans.Testing;

/// <summary>The rule both test projects check about themselves: every test class names one known category.</summary>
public static class TestCategoryRule
{
    /// <summary>
    /// "Class: what is wrong" for every test class of <paramref name="assembly"/> (what xunit runs:
    /// public, not abstract, with test methods) whose categories are not exactly one of <paramref name="allowed"/>.
    /// </summary>
    public static IReadOnlyList<string> Violations(Assembly assembly, IReadOnlySet<string> allowed) =>
        Violations(assembly.GetTypes().Where(t => t.IsVisible), allowed);

    /// <summary>The same for the given classes, public or not.</summary>
    public static IReadOnlyList<string> Violations(IEnumerable<Type> types, IReadOnlySet<string> allowed)
    {
        var violations = new List<string>();
        foreach (var type in types.Where(t => t.IsClass && !t.IsAbstract && HasTests(t)))
        {
            var categories = Categories(type);
            if (categories.Count != 1)
                violations.Add($"{type.FullName}: {categories.Count} categories (one of {string.Join(", ", allowed)} expected)");
            else if (!allowed.Contains(categories[0]!))
                violations.Add($"{type.FullName}: category '{categories[0]}' (one of {string.Join(", ", allowed)} expected)");
        }
        return violations;
    }

    private static bool HasTests(Type type) =>
        type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any());

    // [Trait(name, value)] keeps its arguments only as constructor data.
    private static List<string?> Categories(Type type) =>
        [.. type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute)
                && a.ConstructorArguments.Count == 2
                && (string?)a.ConstructorArguments[0].Value == TestCategory.Name)
            .Select(a => (string?)a.ConstructorArguments[1].Value)];
}
