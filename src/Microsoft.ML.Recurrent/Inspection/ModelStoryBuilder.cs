using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.ML.Recurrent.Training;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Inspection;

/// <summary>Assembles a <see cref="ModelStory"/> from a trainer's options, its training data and its histories.</summary>
internal static class ModelStoryBuilder
{
    /// <summary>The story of a model trained with <paramref name="options"/> on <paramref name="trainingRows"/> rows whose fingerprint is <paramref name="fingerprint"/> (see <see cref="Fingerprint"/>).</summary>
    public static ModelStory Build(string component, string task, object options, long trainingRows, string fingerprint, int seed,
        IReadOnlyList<TrainingHistory> histories)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < histories.Count; i++)
        {
            var history = histories[i];
            var kept = history.BestEpoch is int best ? (best == 0 ? history.Start : history.Epochs.FirstOrDefault(e => e.Epoch == best)) : history.Epochs.LastOrDefault();
            if (kept is null)
                continue;
            string suffix = histories.Count > 1 ? $" (network {i + 1})" : "";
            metrics[$"training loss{suffix}"] = kept.TrainingLoss;
            if (kept.ValidationLoss is double loss)
                metrics[$"validation loss{suffix}"] = loss;
            if (kept.ValidationMetric is double value)
                metrics[$"validation {history.MonitoredValue}{suffix}"] = value;
        }

        return new ModelStory
        {
            Component = component,
            Task = task,
            Hyperparameters = Hyperparameters(options),
            History = histories.Select(h => (IReadOnlyList<EpochSummary>)h.Epochs.ToList()).ToList(),
            MonitoredValue = histories.FirstOrDefault()?.MonitoredValue ?? "",
            Metrics = metrics,
            TrainingRows = trainingRows,
            TrainingDataFingerprint = fingerprint,
            Seed = seed,
            LibraryVersion = typeof(ModelStoryBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(ModelStoryBuilder).Assembly.GetName().Version?.ToString() ?? "",
            TorchSharpVersion = typeof(torch).Assembly.GetName().Version?.ToString() ?? "",
            LibTorchVersion = torch.__version__,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>SHA-256 (hex) of an array of numbers, for trainers that hold their training data as one array.</summary>
    public static string Fingerprint<T>(ReadOnlySpan<T> values) where T : unmanaged
        => Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values)));

    /// <summary>Public properties with plain values (numbers, text, enums, booleans, time spans); callbacks and tokens are skipped.</summary>
    internal static IReadOnlyDictionary<string, string> Hyperparameters(object options)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            bool plain = type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan);
            if (!plain || property.GetIndexParameters().Length > 0)
                continue;
            object? value = property.GetValue(options);
            result[property.Name] = value is null ? "null" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }
        return result;
    }
}
