using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.Recurrent.Tests.Docs;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The command line as a user installs it, the way test/Consumer/run.sh tests the library: `dotnet pack src/Samples`
/// and the three library projects into a temporary folder feed (a unique prerelease version per run, so the NuGet
/// cache never serves a stale copy; only this platform's RID-specific tool package), `dotnet tool install --tool-path`
/// from that feed through a nuget.config naming it, and the installed dotnet-recurrent runs a verb with
/// <c>--code</c>; the project it writes builds against the library package of the same version from that feed and
/// predicts what the tool predicts. Slow (packs with LibTorch, a restore and a build): one class, few tests. Skipped
/// only where `dotnet` is not on PATH.
/// </summary>
[TestClass]
public sealed class ToolPackageTests
{
    private static TempFolder? _work;
    private static string? _toolPath;
    private static string? _version;
    private static SamplesProcess.Result? _training;

    private static TempFolder Work => _work ?? throw new InvalidOperationException("ClassInitialize did not run.");

    [ClassInitialize]
    public static void PackAndInstallTheTool(TestContext context)
    {
        _ = context;
        if (!DotnetIsOnPath())
            return;
        _work = new TempFolder();
        string repository = ReadmeCodeTests.RepositoryRoot();
        string feed = Work.File("feed");
        string suffix = $"tooltest.{DateTime.UtcNow:yyyyMMddHHmmss}";
        string version = _version = $"{VersionPrefix(repository)}-{suffix}";
        string rid = RuntimeInformation.RuntimeIdentifier;

        // A separate artifacts folder: packing builds with other properties and must not touch the repository's build.
        var pack = Dotnet(repository, TimeSpan.FromMinutes(20), "pack", Path.Combine(repository, "src", "Samples", "Samples.csproj"), "-c", "Release",
            "-o", feed, "--version-suffix", suffix, $"-p:ArtifactsPath={Work.File("artifacts")}", $"-p:ToolPackageRuntimeIdentifiers={rid}",
            "-warnaserror", "-nologo", "-v:q");
        Assert.AreEqual(0, pack.ExitCode, pack.Output + pack.Error);
        foreach (string project in new[] { "Microsoft.ML.Recurrent.Onnx", "Microsoft.ML.Recurrent.Networks", "Microsoft.ML.Recurrent" })
        {
            var library = Dotnet(repository, TimeSpan.FromMinutes(10), "pack", Path.Combine(repository, "src", project, project + ".csproj"), "-c", "Release",
                "-o", feed, "--version-suffix", suffix, $"-p:ArtifactsPath={Work.File("artifacts")}", "-warnaserror", "-nologo", "-v:q");
            Assert.AreEqual(0, library.ExitCode, library.Output + library.Error);
        }
        // In the work folder, so that the generated project below it restores from the feed too.
        File.WriteAllText(Work.File("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="recurrent-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        _toolPath = Work.File("tools");
        var install = Dotnet(Work.Path, TimeSpan.FromMinutes(10), "tool", "install", "--tool-path", _toolPath, "Microsoft.ML.Recurrent.Cli",
            "--version", version, "--configfile", Work.File("nuget.config"));
        Assert.AreEqual(0, install.ExitCode, install.Output + install.Error);

        _training = Tool(Work.Path, "sentiment", "--rows", "200", "--epochs", "1", "--hidden", "8", "--embedding", "8", "--threads", "1",
            "--model", Work.File("sentiment.zip"), "--code", Work.File("SentimentApp"), "--json");
    }

    [ClassCleanup]
    public static void DeleteTheWorkFolder() => _work?.Dispose();

    [TestMethod]
    public void TheInstalledToolShowsItsVerbsUnderItsCommandName()
    {
        SkipWithoutDotnet();
        var help = Tool(Work.Path, "--help");
        Assert.AreEqual(0, help.ExitCode, help.Error);
        StringAssert.Contains(help.Output, "dotnet-recurrent [command] [options]");
        foreach (string verb in new[] { "sentiment", "language-model", "forecast", "tag", "seq2seq", "export-onnx", "inspect", "predict" })
            StringAssert.Contains(help.Output, verb);

        var bad = Tool(Work.Path, "forecast", "--horizon", "0");
        Assert.AreEqual(2, bad.ExitCode);
        StringAssert.StartsWith(bad.Error, "error: --horizon must be a positive whole number; got '0'.");
    }

    [TestMethod]
    public void TheInstalledToolTrainsWithItsOwnLibTorchAndSavesAModel()
    {
        SkipWithoutDotnet();
        var training = _training!;
        Assert.AreEqual(0, training.ExitCode, training.Error + training.Output);
        using var json = JsonDocument.Parse(training.Lines[^1]);
        Assert.AreEqual("sentiment", json.RootElement.GetProperty("task").GetString());
        Assert.IsTrue(File.Exists(Work.File("sentiment.zip")));

        var predict = Tool(Work.Path, "predict", "--model", Work.File("sentiment.zip"), "--text", "the movie was good", "--json");
        Assert.AreEqual(0, predict.ExitCode, predict.Error);
        using var row = JsonDocument.Parse(predict.Lines.Single());
        float probability = row.RootElement.GetProperty("Probability").GetSingle();
        Assert.IsTrue(probability is >= 0 and <= 1, $"probability {probability}");
    }

    [TestMethod]
    public void TheGeneratedProjectBuildsFromThePackagesAndPredictsWhatTheToolPredicts()
    {
        SkipWithoutDotnet();
        Assert.AreEqual(0, _training!.ExitCode, _training.Error + _training.Output);
        string project = Work.File("SentimentApp");
        CollectionAssert.IsSubsetOf(new[] { "SentimentApp.csproj", "SentimentModel.Training.cs", "SentimentModel.Consumption.cs", "Program.cs", "sentiment-model.zip" },
            Directory.GetFiles(project).Select(Path.GetFileName).ToArray());
        StringAssert.Contains(File.ReadAllText(Path.Combine(project, "SentimentApp.csproj")), $"<PackageReference Include=\"Microsoft.ML.Recurrent\" Version=\"{_version}\" />");

        var build = Dotnet(project, TimeSpan.FromMinutes(10), "build", "-c", "Release", "-warnaserror", "-nologo", "-v:q");
        Assert.AreEqual(0, build.ExitCode, build.Output + build.Error);
        const string text = "the plot was boring , but the ending was wonderful";
        var run = Dotnet(project, TimeSpan.FromMinutes(5), "run", "--no-build", "-c", "Release", "--", text);
        Assert.AreEqual(0, run.ExitCode, run.Output + run.Error);
        CollectionAssert.Contains(run.Lines, $"Text: {text}");
        float generated = float.Parse(run.Lines.Single(l => l.StartsWith("Probability: ", StringComparison.Ordinal))["Probability: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        bool label = bool.Parse(run.Lines.Single(l => l.StartsWith("PredictedLabel: ", StringComparison.Ordinal))["PredictedLabel: ".Length..]);

        // The same model through the tool: the same probability (the copy beside the program is the saved model).
        var predict = Tool(Work.Path, "predict", "--model", Work.File("sentiment.zip"), "--text", text, "--json");
        Assert.AreEqual(0, predict.ExitCode, predict.Error);
        using var row = JsonDocument.Parse(predict.Lines.Single());
        Assert.AreEqual(row.RootElement.GetProperty("Probability").GetSingle(), generated, 1e-5f);
        Assert.AreEqual(row.RootElement.GetProperty("PredictedLabel").GetBoolean(), label);
    }

    private static SamplesProcess.Result Tool(string workingFolder, params string[] args)
        => SamplesProcess.RunProgram(Path.Combine(_toolPath!, OperatingSystem.IsWindows() ? "dotnet-recurrent.exe" : "dotnet-recurrent"),
            workingFolder, null, TimeSpan.FromMinutes(5), args);

    private static SamplesProcess.Result Dotnet(string workingFolder, TimeSpan timeout, params string[] args)
        => SamplesProcess.RunProgram("dotnet", workingFolder, null, timeout, HardLinkedCopies, args);

    /// <summary>
    /// MSBuild reads environment variables as properties: the generated project (outside the repository, so without
    /// its Directory.Build.props) hard-links LibTorch from the NuGet cache into its output as the repository's
    /// projects do, instead of writing another 1.5 GB copy.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> HardLinkedCopies = new Dictionary<string, string>
    {
        ["CreateHardLinksForCopyLocalIfPossible"] = "true",
        ["CreateHardLinksForPublishFilesIfPossible"] = "true",
    };

    private static string VersionPrefix(string repository)
    {
        string props = File.ReadAllText(Path.Combine(repository, "Directory.Build.props"));
        var match = System.Text.RegularExpressions.Regex.Match(props, "<VersionPrefix>([^<]+)</VersionPrefix>");
        Assert.IsTrue(match.Success, "Directory.Build.props has no VersionPrefix");
        return match.Groups[1].Value;
    }

    private static bool DotnetIsOnPath()
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet")));

    private static void SkipWithoutDotnet()
    {
        if (_work is null)
            Assert.Inconclusive("Skipped: `dotnet` is not on PATH, so the tool cannot be packed and installed.");
    }
}
