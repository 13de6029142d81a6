using System.Diagnostics;

namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>Scores a saved model in a separate process (test/Microsoft.ML.Recurrent.ModelHost or OnnxHost) with a fresh MLContext.</summary>
internal static class FreshProcess
{
    public static List<string> Score(string modelPath, string inputPath, string scoringPath, params string[] columns)
        => Run("Microsoft.ML.Recurrent.ModelHost.dll", "score", modelPath, inputPath, scoringPath, string.Join(',', columns));

    /// <summary>Runs a host assembly deployed beside the tests with <paramref name="arguments"/>; returns its non-empty output lines.</summary>
    public static List<string> Run(string hostFileName, params string[] arguments)
    {
        string host = Path.Combine(AppContext.BaseDirectory, hostFileName);
        Assert.IsTrue(File.Exists(host), $"host not found at {host}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments.Prepend(host))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{hostFileName} did not finish within 2 minutes");
        }
        Assert.AreEqual(0, process.ExitCode, $"{hostFileName} failed: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
