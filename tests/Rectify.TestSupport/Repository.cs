namespace Rectify.TestSupport;

/// <summary>The checkout the tests run from, for the tests that read its sources, docs and scripts.</summary>
public static class Repository
{
    /// <summary>The folder holding Rectify.sln, found above the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rectify.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Rectify.sln) was not found above the test binaries");
    }
}
