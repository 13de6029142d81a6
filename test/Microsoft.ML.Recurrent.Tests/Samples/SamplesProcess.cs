using System.Diagnostics;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>Runs the built samples (Samples.dll, copied next to the tests) as a child process, with redirected output.</summary>
internal static class SamplesProcess
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    public static Result Run(string workingFolder, string? input, params string[] args)
    {
        string samples = Path.Combine(AppContext.BaseDirectory, "Samples.dll");
        Assert.IsTrue(File.Exists(samples), $"Samples.dll not found at {samples}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingFolder,
        };
        start.ArgumentList.Add(samples);
        foreach (string argument in args)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
            process.StandardInput.Write(input);
        process.StandardInput.Close();
        // Training on a busy two-core machine can be slow; the tests keep their runs tiny, this is only a safety net.
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"Samples {string.Join(' ', args)} did not finish within 5 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
