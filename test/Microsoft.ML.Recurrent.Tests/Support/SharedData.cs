namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>
/// Locates the real data sets in <c>../shared/data</c> beside the repository. Tests in the <c>RealData</c> category
/// call <see cref="Require"/>, which reports the test as skipped (Inconclusive, with the reason) when the data is absent.
/// </summary>
internal static class SharedData
{
    public const string Category = "RealData";

    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>Full path of <paramref name="relativePath"/> under shared/data, or Inconclusive when it is absent.</summary>
    public static string Require(string relativePath)
    {
        string? root = Root.Value;
        if (root is null)
            Assert.Inconclusive("Skipped: the shared data folder (../shared/data beside the repository) is absent on this machine.");
        string path = Path.Combine(root, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Inconclusive($"Skipped: {path} is absent on this machine.");
        return path;
    }

    private static string? FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RecurrentMl.sln")))
            {
                string candidate = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}
