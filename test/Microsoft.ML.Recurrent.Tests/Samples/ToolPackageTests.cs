using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.Recurrent.Tests.Docs;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// The command line as a user installs it, the way test/Consumer/run.sh tests the library: `dotnet pack src/Samples`
/// into a temporary folder feed (a unique prerelease version per run, so the NuGet cache never serves a stale copy;
/// only this platform's RID-specific package), `dotnet tool install --tool-path` from that feed through a nuget.config
/// naming it, and the installed dotnet-recurrent runs a verb. Slow (a pack of the tool with LibTorch): one class, few
/// tests. Skipped only where `dotnet` is not on PATH.
/// </summary>
[TestClass]
public sealed class ToolPackageTests
{
    private static TempFolder? _work;
    private static string? _toolPath;
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
        string version = $"{VersionPrefix(repository)}-{suffix}";
        string rid = RuntimeInformation.RuntimeIdentifier;

        // A separate artifacts folder: packing builds with other properties and must not touch the repository's build.
        var pack = Dotnet(repository, TimeSpan.FromMinutes(20), "pack", Path.Combine(repository, "src", "Samples", "Samples.csproj"), "-c", "Release",
            "-o", feed, "--version-suffix", suffix, $"-p:ArtifactsPath={Work.File("artifacts")}", $"-p:ToolPackageRuntimeIdentifiers={rid}",
            "-warnaserror", "-nologo", "-v:q");
        Assert.AreEqual(0, pack.ExitCode, pack.Output + pack.Error);
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
            "--model", Work.File("sentiment.zip"), "--json");
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

    private static SamplesProcess.Result Tool(string workingFolder, params string[] args)
        => SamplesProcess.RunProgram(Path.Combine(_toolPath!, OperatingSystem.IsWindows() ? "dotnet-recurrent.exe" : "dotnet-recurrent"),
            workingFolder, null, TimeSpan.FromMinutes(5), args);

    private static SamplesProcess.Result Dotnet(string workingFolder, TimeSpan timeout, params string[] args)
        => SamplesProcess.RunProgram("dotnet", workingFolder, null, timeout, args);

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
