using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Recurrent.Benchmarks.Macro;

/// <summary>Small measuring helpers: load average, medians, percentiles, working set.</summary>
internal static class Measure
{
    /// <summary>The 1-minute load average, or NaN off Linux. Recorded next to every figure because the machine is shared.</summary>
    public static double LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    /// <summary>The median of the values (mean of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of sorted values, nearest rank.</summary>
    public static double Percentile(double[] sorted, double quantile)
    {
        if (sorted.Length == 0)
            return double.NaN;
        int rank = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>Seconds taken by <paramref name="action"/>.</summary>
    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// CPU seconds used by the whole process so far (every thread). On a machine shared by many jobs the CPU time a
    /// piece of work takes moves far less than its wall time, so ratios are computed on both.
    /// </summary>
    public static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Wall and CPU seconds of one piece of work.</summary>
    public readonly record struct Cost(double Wall, double Cpu)
    {
        public static Cost Start() => new(Stopwatch.GetTimestamp(), CpuSeconds());

        /// <summary>The cost from a <see cref="Start"/> value until now.</summary>
        public Cost Since() => new(Stopwatch.GetElapsedTime((long)Wall).TotalSeconds, CpuSeconds() - Cpu);
    }

    /// <summary>Current working set in bytes, after a full collection so that managed garbage does not count.</summary>
    public static long WorkingSetAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    /// <summary>Peak working set of the process so far, in bytes.</summary>
    public static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    /// <summary>The CPU model from /proc/cpuinfo, or "unknown".</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    public static string F(double value, string format = "F2") => value.ToString(format, CultureInfo.InvariantCulture);
}
