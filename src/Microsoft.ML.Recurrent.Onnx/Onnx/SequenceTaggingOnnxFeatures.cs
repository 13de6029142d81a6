using System.Text.Json;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Tagging;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// The text side of an exported sequence tagger, without TorchSharp: turns sentences (token arrays) into the Int32
/// features input of the ONNX graph, and the graph's tag indices back into tag names.
/// </summary>
/// <remarks>
/// ONNX has no operators for the tagger's word normalization (lowercasing, digit replacement), casing classes or
/// character lookup, so this encoding happens before the graph, with the same code the TorchSharp transformer uses.
/// Per token: the word id (0 padding, 1 unknown, then the vocabulary), the casing class (1..7), then
/// <see cref="TaggerModelSettings.MaxWordCharacters"/> character ids (0 padding, 1 unknown). Rows are padded with
/// zero steps at the end; a row's length is the position of its last step with a non-zero word id, plus one.
/// </remarks>
public sealed class SequenceTaggingOnnxFeatures
{
    /// <summary>Metadata key of the exported model that holds the JSON of <see cref="TaggerModelSettings"/>.</summary>
    public const string SettingsMetadataKey = "recurrent.settings";

    private readonly TokenFeatures.Encoder _encoder;
    private readonly string[] _tags;

    /// <summary>Creates the encoder of a tagger: from <c>SequenceTaggingTransformer.ModelSettings</c>, or from an exported model's metadata with <see cref="FromMetadata"/>.</summary>
    /// <param name="settings">The tagger's settings (vocabularies, tag set).</param>
    public SequenceTaggingOnnxFeatures(TaggerModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        _encoder = new TokenFeatures.Encoder(settings);
        _tags = settings.Tags;
    }

    /// <summary>
    /// Reads the tagger's settings from the custom metadata of an exported model (for example ONNX Runtime's
    /// <c>InferenceSession.ModelMetadata.CustomMetadataMap</c>), so the .onnx file is all a consumer needs.
    /// </summary>
    /// <param name="customMetadata">The model's metadata_props.</param>
    public static SequenceTaggingOnnxFeatures FromMetadata(IReadOnlyDictionary<string, string> customMetadata)
    {
        ArgumentNullException.ThrowIfNull(customMetadata);
        if (!customMetadata.TryGetValue(SettingsMetadataKey, out string? json))
            throw new ArgumentException($"The model metadata has no '{SettingsMetadataKey}' entry; is it a sequence tagger exported by RecurrentOnnxExporter?", nameof(customMetadata));
        TaggerModelSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<TaggerModelSettings>(json, ModelStreams.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The '{SettingsMetadataKey}' metadata entry is not the JSON of tagger settings: {e.Message}", e);
        }
        return new SequenceTaggingOnnxFeatures(settings ?? throw new InvalidDataException($"The '{SettingsMetadataKey}' metadata entry is empty."));
    }

    /// <summary>The tagger's settings.</summary>
    public TaggerModelSettings Settings { get; }

    /// <summary>Int32 values per token: 2 + <see cref="TaggerModelSettings.MaxWordCharacters"/>.</summary>
    public int StepSize => _encoder.StepSize;

    /// <summary>The tag names, indexed by the graph's tag indices.</summary>
    public IReadOnlyList<string> Tags => _tags;

    /// <summary>
    /// Encodes sentences as the graph's [sentences, <paramref name="time"/>, <see cref="StepSize"/>] features input
    /// (row-major), each padded with zero steps to <paramref name="time"/> tokens.
    /// </summary>
    /// <param name="sentences">Token arrays; a null token is read as an empty string. Empty sentences are all padding.</param>
    /// <param name="time">Tokens per row; at least 1 and at least the longest sentence's length.</param>
    public int[] Encode(IReadOnlyList<IReadOnlyList<string>> sentences, int time)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfLessThan(time, 1);
        int width = StepSize;
        var features = new int[checked(sentences.Count * time * width)];
        var steps = new float[time * width];
        for (int r = 0; r < sentences.Count; r++)
        {
            var tokens = sentences[r] ?? throw new ArgumentException($"Sentence {r} is null.", nameof(sentences));
            if (tokens.Count > time)
                throw new ArgumentException($"Sentence {r} has {tokens.Count} tokens, more than the {time} steps per row.", nameof(sentences));
            // The TorchSharp path's own encoder writes float steps (ids are small integers, exact in float32).
            _encoder.Encode(tokens, steps.AsSpan(0, tokens.Count * width));
            for (int i = 0; i < tokens.Count * width; i++)
                features[(long)r * time * width + i] = (int)steps[i];
        }
        return features;
    }

    /// <summary>
    /// Turns the graph's [rows, <paramref name="time"/>] tag indices (row-major) into tag names, one array per row,
    /// each ending at the row's first −1 (padding).
    /// </summary>
    /// <param name="tagIndices">The tags output of the graph.</param>
    /// <param name="time">Steps per row of that output.</param>
    public string[][] Decode(ReadOnlySpan<long> tagIndices, int time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(time, 1);
        if (tagIndices.Length % time != 0)
            throw new ArgumentException($"{tagIndices.Length} tag indices are not rows of {time} steps.", nameof(tagIndices));
        var result = new string[tagIndices.Length / time][];
        for (int r = 0; r < result.Length; r++)
        {
            var row = tagIndices.Slice(r * time, time);
            int length = row.IndexOf(-1L);
            if (length < 0)
                length = time;
            var tags = new string[length];
            for (int t = 0; t < length; t++)
            {
                long index = row[t];
                if (index < 0 || index >= _tags.Length)
                    throw new ArgumentException($"Row {r}, step {t}: tag index {index} is outside 0..{_tags.Length - 1}.", nameof(tagIndices));
                tags[t] = _tags[index];
            }
            result[r] = tags;
        }
        return result;
    }
}
