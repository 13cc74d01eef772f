namespace Rectify.EndToEnd.Tests.Browser;

/// <summary>Small real files for uploads: a PNG and a PDF whose bytes match their names.</summary>
public static class Evidence
{
    public static string Png(string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rectify-e2e-").FullName, name);
        // A 1×1 PNG.
        File.WriteAllBytes(path, Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
        return path;
    }

    public static string Pdf(string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rectify-e2e-").FullName, name);
        File.WriteAllText(path, "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
        return path;
    }

    public static string FakeExe(string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rectify-e2e-").FullName, name);
        File.WriteAllBytes(path, [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]);
        return path;
    }
}
