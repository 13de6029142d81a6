namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>
/// Locates the real data sets in <c>../shared/data</c> beside the repository. Tests in the <c>RealData</c> category
/// call <see cref="Require"/>, which reports the test as skipped (Inconclusive, with the reason) when the data is absent.
/// </summary>
internal static class SharedData
{
    public const string Category = "RealData";

    /// <summary>The environment variable that sets <see cref="Seed"/>.</summary>
    public const string SeedVariable = "RECURRENT_TEST_SEED";

    /// <summary>
    /// Seed of a real-data run: 1 unless <see cref="SeedVariable"/> says otherwise, so that the spread of a short run
    /// over seeds can be measured with the test itself (its threshold sits a few points inside that spread).
    /// </summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out int seed) ? seed : 1;

    /// <summary>Prints a run's figure as one line, <c>REALDATA run seed=S measure=value</c>, before the test asserts on it.</summary>
    public static void Report(string run, string measure, double value)
        => Console.WriteLine(FormattableString.Invariant($"REALDATA {run} seed={Seed} {measure}={value:F4}"));

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
