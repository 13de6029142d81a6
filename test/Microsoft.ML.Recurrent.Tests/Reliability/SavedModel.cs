using System.IO.Compression;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Tests.Classification;
using Microsoft.ML.Recurrent.Tests.Support;

namespace Microsoft.ML.Recurrent.Tests.Reliability;

/// <summary>A tiny saved pipeline (TokenizeToSequence + a binary recurrent model) and helpers to damage its .zip.</summary>
internal static class SavedModel
{
    public sealed class Review
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    public static readonly Review[] Reviews =
    [
        new() { Text = "good film", Label = true },
        new() { Text = "boring film", Label = false },
        new() { Text = "good fun", Label = true },
        new() { Text = "long and boring", Label = false },
    ];

    private static readonly Lazy<byte[]> Bytes = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Reviews);
        var options = RecurrentBinaryTrainerTests.SmallOptions(epochs: 1);
        options.HiddenSize = 4;
        options.EmbeddingSize = 4;
        var model = ml.Transforms.Text.TokenizeToSequence("Tokens", "Text").Append(ml.BinaryClassification.Trainers.Recurrent(options)).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return stream.ToArray();
    });

    /// <summary>The saved .zip (a fresh copy each call).</summary>
    public static byte[] Zip => (byte[])Bytes.Value.Clone();

    /// <summary>Loads <paramref name="zip"/> in a fresh MLContext and scores the reviews; returns the scores.</summary>
    public static float[] LoadAndScore(byte[] zip)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(new MemoryStream(zip, writable: false), out _);
        return model.Transform(ml.Data.LoadFromEnumerable(Reviews)).GetColumn<float>("Score").ToArray();
    }

    /// <summary>Rewrites the content of the entry whose full name ends with <paramref name="suffix"/>; returns the new .zip.</summary>
    public static byte[] RewriteEntry(byte[] zip, string suffix, Func<byte[], byte[]?> rewrite)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.Entries.First(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal));
            byte[] content;
            using (var read = entry.Open())
            using (var copy = new MemoryStream())
            {
                read.CopyTo(copy);
                content = copy.ToArray();
            }
            string name = entry.FullName;
            entry.Delete();
            if (rewrite(content) is { } replaced)
            {
                using var write = archive.CreateEntry(name).Open();
                write.Write(replaced);
            }
        }
        return stream.ToArray();
    }

    /// <summary>The decompressed content of the entry named <paramref name="fullName"/>.</summary>
    public static byte[] EntryContent(byte[] zip, string fullName)
    {
        using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
        using var read = archive.GetEntry(fullName)!.Open();
        using var copy = new MemoryStream();
        read.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Full names of the .zip's entries.</summary>
    public static string[] EntryNames(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
        return archive.Entries.Select(e => e.FullName).ToArray();
    }
}
