namespace Rectify.Api.Tests.Import;

/// <summary>The problem lists of <c>Import/corpus</c> (see its README): files made by office software, copied beside the tests.</summary>
public static class Corpus
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Import", "corpus", name);

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));
}
