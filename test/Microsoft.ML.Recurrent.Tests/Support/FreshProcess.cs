using System.Diagnostics;

namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>Scores a saved model in a separate process (test/Microsoft.ML.Recurrent.ModelHost) with a fresh MLContext.</summary>
internal static class FreshProcess
{
    public static List<string> Score(string modelPath, string inputPath, string scoringPath, params string[] columns)
    {
        string host = Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.Recurrent.ModelHost.dll");
        Assert.IsTrue(File.Exists(host), $"model host not found at {host}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { host, "score", modelPath, inputPath, scoringPath, string.Join(',', columns) })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the model host did not finish within 2 minutes");
        }
        Assert.AreEqual(0, process.ExitCode, $"model host failed: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
