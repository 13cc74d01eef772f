using System.Text.RegularExpressions;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18 item 7: drift from the code style fails CI. <c>dotnet format</c> has three passes. Its analyzer pass checks
/// what the build already refuses (the analyzers' warnings are errors), and its style pass checks only the rules
/// <c>.editorconfig</c> raises to warning, which the build refuses too once <c>EnforceCodeStyleInBuild</c> is on. So
/// <c>./rectify.sh test</c> runs only the whitespace pass beside the tests: 35 CPU s, against 231 for all three, which
/// compile every project a second time. These tests keep that reasoning true. If a style rule is raised to warning
/// while the build does not enforce code style, the rule would go unchecked, and the first test fails.
/// </summary>
public sealed partial class StyleEnforcementTests
{
    [Fact]
    public void AStyleRuleRaisedToWarning_IsEnforcedByTheBuild()
    {
        var raised = RaisedStyleRules(File.ReadAllText(Path.Combine(Repository.Root, ".editorconfig")));
        if (raised.Count > 0)
        {
            BuildProperty("EnforceCodeStyleInBuild").ShouldBe("true",
                $".editorconfig raises {string.Join(", ", raised)}: only a build with EnforceCodeStyleInBuild checks them");
        }
    }

    [Fact]
    public void TheBuildRefusesAnalyzerWarnings_AndTheTestRunChecksTheWhitespace()
    {
        BuildProperty("TreatWarningsAsErrors").ShouldBe("true", "the analyzers' warnings must fail the build");
        var script = File.ReadAllText(Path.Combine(Repository.Root, "rectify.sh"));
        script.ShouldContain("dotnet format whitespace Rectify.sln --verify-no-changes");
    }

    [Theory]
    [InlineData("csharp_style_namespace_declarations = file_scoped:warning", "csharp_style_namespace_declarations")]
    [InlineData("dotnet_diagnostic.IDE0005.severity = error", "IDE0005")]
    [InlineData("dotnet_analyzer_diagnostic.category-Style.severity = warning", "category-Style")]
    public void TheRuleSeesARaisedStyleRule(string line, string rule) =>
        RaisedStyleRules($"[*.cs]\n# {line}\n{line}\ncsharp_indent_case_contents = true\n").ShouldBe([rule]);

    [Fact]
    public void TheRuleLeavesFormattingOptionsAndAnalyzerRulesAlone() =>
        RaisedStyleRules("""
            [*.cs]
            csharp_new_line_before_open_brace = all
            csharp_style_namespace_declarations = file_scoped
            dotnet_diagnostic.CA1822.severity = warning
            dotnet_diagnostic.IDE0005.severity = suggestion
            """).ShouldBeEmpty();

    /// <summary>Style options with a :warning or :error suffix, and IDE rules or the Style category set to either.</summary>
    private static List<string> RaisedStyleRules(string editorConfig) =>
        editorConfig.Split('\n').Select(l => l.Trim())
            .Where(l => !l.StartsWith('#') && !l.StartsWith(';'))
            .Select(l => RaisedRule().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups["option"].Success ? m.Groups["option"].Value : m.Groups["rule"].Value)
            .ToList();

    private static string? BuildProperty(string name)
    {
        var props = File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props"));
        var match = Regex.Match(props, $"<{name}>([^<]*)</{name}>");
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    [GeneratedRegex(@"^(?:(?<option>(?:csharp|dotnet)_style_\w+|csharp_\w+_placement|csharp_prefer_\w+)\s*=\s*[^:#]+:\s*(?:warning|error)\b"
        + @"|dotnet_(?:analyzer_)?diagnostic\.(?<rule>IDE\d+|category-Style)\.severity\s*=\s*(?:warning|error)\b)")]
    private static partial Regex RaisedRule();
}
