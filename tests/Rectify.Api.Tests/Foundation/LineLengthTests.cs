using System.Globalization;
using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18: the line length of <c>.editorconfig</c> (<c>max_line_length = 140</c>) is enforced, since
/// <c>dotnet format</c> does not wrap lines. A new file has no line over 140 characters (counted in characters, so a
/// line of Chinese text is not penalised for its UTF-8 bytes). The files written before the rule keep a budget in
/// <c>long-lines.txt</c> beside this test: a file may not gain a long line, and a file that lost some must have its
/// budget lowered (run with <c>UPDATE_GOLDEN=1</c>, which rewrites the budgets only when no file grew). The list may
/// only shrink.
/// </summary>
public sealed class LineLengthTests
{
    private const int MaxLength = 140;
    private static readonly string[] Roots = ["src", "tests", "bench", "tools"];

    [Fact]
    public void NoLineIsLongerThan140_BeyondTheBudgetsOfTheOlderFiles()
    {
        var root = Repository.Root;
        var budgetPath = Path.Combine(root, "tests", "Rectify.Api.Tests", "Foundation", "long-lines.txt");
        var budgets = ReadBudgets(budgetPath);
        var counts = CountLongLines(root);

        var grew = counts
            .Where(c => c.Value > budgets.GetValueOrDefault(c.Key))
            .Select(c => $"{c.Key}: {c.Value} lines over {MaxLength} characters (budget {budgets.GetValueOrDefault(c.Key)})")
            .ToList();
        grew.ShouldBeEmpty($"lines longer than {MaxLength} characters (wrap them; .editorconfig max_line_length)");

        var shrank = budgets
            .Where(b => counts.GetValueOrDefault(b.Key) < b.Value)
            .Select(b => $"{b.Key}: {counts.GetValueOrDefault(b.Key)} now, budget {b.Value}")
            .ToList();
        if (shrank.Count > 0 && Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            WriteBudgets(budgetPath, counts);
            return;
        }
        shrank.ShouldBeEmpty("files with fewer long lines than their budget: lower it (UPDATE_GOLDEN=1)");
    }

    [Fact]
    public void TheCountSeesALongLine_InCharactersNotBytes()
    {
        var dir = Directory.CreateTempSubdirectory("rectify-lines-");
        try
        {
            var src = Directory.CreateDirectory(Path.Combine(dir.FullName, "src"));
            // 140 Chinese characters (420 bytes) is within the limit; 141 ASCII characters is not.
            File.WriteAllLines(Path.Combine(src.FullName, "A.cs"), [new string('整', MaxLength), new string('x', MaxLength + 1), "short"]);
            File.WriteAllText(Path.Combine(src.FullName, "B.txt"), new string('x', 500));
            var counts = CountLongLines(dir.FullName);
            counts.ShouldBe(new Dictionary<string, int> { ["src/A.cs"] = 1 });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static Dictionary<string, int> CountLongLines(string root)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var top in Roots)
        {
            var dir = Path.Combine(root, top);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)) continue;
                var n = File.ReadLines(file).Count(l => new StringInfo(l).LengthInTextElements > MaxLength);
                if (n > 0) counts[relative] = n;
            }
        }
        return counts;
    }

    private static Dictionary<string, int> ReadBudgets(string path) =>
        File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2))
            .ToDictionary(p => p[1], p => int.Parse(p[0], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static void WriteBudgets(string path, Dictionary<string, int> counts) =>
        File.WriteAllLines(path,
        [
            "# Files written before the 140-character rule, with how many longer lines each still has (LineLengthTests).",
            .. counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}"),
        ]);
}
