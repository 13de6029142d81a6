using System.Diagnostics;

namespace Microsoft.ML.Recurrent.Tests.Samples;

/// <summary>
/// Runs the built samples (Samples.dll, copied next to the tests), or any other program, as a child process with
/// redirected output.
/// </summary>
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
        // Training on a busy two-core machine can be slow; the tests keep their runs tiny, this is only a safety net.
        return RunProgram("dotnet", workingFolder, input, TimeSpan.FromMinutes(5), [samples, .. args]);
    }

    /// <summary>Runs <paramref name="fileName"/> (found on PATH, or a path) and waits up to <paramref name="timeout"/>.</summary>
    public static Result RunProgram(string fileName, string workingFolder, string? input, TimeSpan timeout, params string[] args)
        => RunProgram(fileName, workingFolder, input, timeout, new Dictionary<string, string>(), args);

    /// <summary>As above, with <paramref name="environment"/> added to the child's environment.</summary>
    public static Result RunProgram(string fileName, string workingFolder, string? input, TimeSpan timeout,
        IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingFolder,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        foreach (string argument in args)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
            process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', args)} did not finish within {timeout.TotalMinutes} minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
