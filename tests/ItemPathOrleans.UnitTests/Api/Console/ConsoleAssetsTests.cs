using System.Text.RegularExpressions;
using ItemPathOrleans.Api.Console;

namespace ItemPathOrleans.UnitTests.Api.Console;

/// <summary>The console's modules ship whole: every import names an embedded asset, and nothing reaches for another origin.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed partial class ConsoleAssetsTests
{
    [Fact]
    public void Every_module_imports_only_embedded_modules_by_relative_url()
    {
        var names = ConsoleAssets.Names.ToHashSet();
        Assert.Contains("console.js", names);
        Assert.Contains("console.css", names);
        foreach (var module in names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)))
        {
            foreach (Match import in Import().Matches(ConsoleAssets.Text(module)))
            {
                var target = import.Groups["target"].Value;
                Assert.True(target.StartsWith("./", StringComparison.Ordinal), $"{module} imports {target}: only ./ paths ship with the service");
                Assert.Contains(target[2..], names);
            }
        }
    }

    [Fact]
    public void No_asset_names_another_origin_or_runs_text_as_code()
    {
        foreach (var name in ConsoleAssets.Names)
        {
            var text = ConsoleAssets.Text(name);
            Assert.DoesNotMatch(@"https?://", text);
            Assert.DoesNotMatch(@"\beval\(|new Function\(|\.innerHTML\b|insertAdjacentHTML|document\.write", text);
        }
    }

    [Fact]
    public void Urls_carry_the_version_of_every_asset()
    {
        Assert.Matches("^[0-9a-f]{16}$", ConsoleAssets.Version);
        Assert.Equal($"/assets/console/{ConsoleAssets.Version}/console.js", ConsoleAssets.Href("console.js"));
    }

    [GeneratedRegex(@"^\s*import\b[^'""]*['""](?<target>[^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex Import();
}
