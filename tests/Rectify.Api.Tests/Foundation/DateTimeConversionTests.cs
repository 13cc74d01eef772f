using Rectify.TestSupport;

namespace Rectify.Api.Tests.Foundation;

/// <summary>
/// Issue 18 item 4: timestamps reach the code as <see cref="DateTimeOffset"/> through the one Dapper type handler
/// (Rectify.Workflows/Persistence/PersistenceExtensions.cs), so no read converts a <see cref="DateTime"/> by hand. The
/// source tree is read: <c>SpecifyKind</c> may appear in that file only.
/// </summary>
public sealed class DateTimeConversionTests
{
    private const string Handler = "src/Rectify.Workflows/Persistence/PersistenceExtensions.cs";

    [Fact]
    public void SpecifyKind_AppearsOnlyInTheDapperHandler()
    {
        var root = Repository.Root;
        var found = SpecifyKindLines(Path.Combine(root, "src"), root)
            .Where(l => !l.StartsWith(Handler + ":", StringComparison.Ordinal)).ToList();
        found.ShouldBeEmpty("read the column as DateTimeOffset (the Dapper handler converts it) instead of DateTime.SpecifyKind");
    }

    [Fact]
    public void TheRuleSeesTheHandlersOwnConversion()
    {
        // The search must be able to fail: it finds the handler's own use.
        var root = Repository.Root;
        SpecifyKindLines(Path.Combine(root, "src"), root).ShouldContain(l => l.StartsWith(Handler + ":", StringComparison.Ordinal));
    }

    private static IEnumerable<string> SpecifyKindLines(string directory, string root) =>
        Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .SelectMany(f => File.ReadLines(f)
                .Select((line, n) => (Path: Path.GetRelativePath(root, f).Replace('\\', '/'), Line: n + 1, Text: line)))
            .Where(x => x.Text.Contains("SpecifyKind", StringComparison.Ordinal))
            .Select(x => $"{x.Path}:{x.Line}: {x.Text.Trim()}");
}
