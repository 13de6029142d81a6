namespace Microsoft.ML.Recurrent.Training;

/// <summary>What each step of an input sequence holds.</summary>
internal enum SequenceInputKind
{
    /// <summary>One integer token id per step (batched as int64 <c>[B, T]</c>).</summary>
    Tokens,

    /// <summary><see cref="SequenceDataset.FeatureSize"/> floats per step (batched as float32 <c>[B, T, F]</c>).</summary>
    Features,
}

/// <summary>What each example is trained to predict.</summary>
internal enum SequenceTargetKind
{
    /// <summary>No target (inference).</summary>
    None,

    /// <summary>One float per example (regression); batched as float32 <c>[B]</c>.</summary>
    Value,

    /// <summary>One class index per example; batched as int64 <c>[B]</c>.</summary>
    Class,

    /// <summary>
    /// <see cref="SequenceDataset.TargetWidth"/> floats per example (multi-output regression, a forecast horizon);
    /// batched as float32 <c>[B, W]</c>.
    /// </summary>
    Vector,

    /// <summary>
    /// One class index per input step (tagging, language modelling); batched as int64 <c>[B, T]</c>,
    /// padding steps hold <see cref="SequenceDataset.IgnoreIndex"/>.
    /// </summary>
    StepClasses,

    /// <summary>
    /// <see cref="SequenceDataset.TargetWidth"/> floats per input step; batched as float32 <c>[B, T, W]</c>,
    /// padding steps hold 0 (mask them with the lengths).
    /// </summary>
    StepValues,
}

/// <summary>
/// N variable-length sequences and their targets, held in a few flat arrays (no object per example).
/// </summary>
/// <remarks>
/// Example <c>i</c> covers steps <c>[StepOffsets[i], StepOffsets[i+1])</c>. Token ids live in one int array;
/// features in one float array, <see cref="FeatureSize"/> values per step. Per-step targets share the step offsets,
/// so they always have the length of their input sequence. Instances are immutable once built.
/// </remarks>
internal sealed class SequenceDataset
{
    /// <summary>Class index used for padding steps of <see cref="SequenceTargetKind.StepClasses"/> targets; matches the
    /// default <c>ignore_index</c> of <c>torch.nn.functional.cross_entropy</c>.</summary>
    public const int IgnoreIndex = -100;

    private readonly int[] _stepOffsets;
    private readonly int[]? _tokens;
    private readonly float[]? _features;
    private readonly float[]? _floatTargets;
    private readonly int[]? _intTargets;
    private readonly float[]? _weights;
    private readonly SparseRows? _wide;

    private SequenceDataset(SequenceInputKind inputKind, int featureSize, SequenceTargetKind targetKind, int targetWidth,
        int[] stepOffsets, int[]? tokens, float[]? features, float[]? floatTargets, int[]? intTargets, int classCount, float[]? weights,
        SparseRows? wide)
    {
        _weights = weights;
        _wide = wide;
        InputKind = inputKind;
        FeatureSize = featureSize;
        TargetKind = targetKind;
        TargetWidth = targetWidth;
        _stepOffsets = stepOffsets;
        _tokens = tokens;
        _features = features;
        _floatTargets = floatTargets;
        _intTargets = intTargets;
        ClassCount = classCount;
        int max = 0;
        for (int i = 0; i + 1 < stepOffsets.Length; i++)
            max = Math.Max(max, stepOffsets[i + 1] - stepOffsets[i]);
        MaxLength = max;
        if (tokens is not null)
        {
            int maxToken = 0;
            foreach (int t in tokens)
                maxToken = Math.Max(maxToken, t);
            MaxTokenId = maxToken;
        }
    }

    /// <summary>Number of examples.</summary>
    public int Count => _stepOffsets.Length - 1;

    /// <summary>
    /// This data with every token id at or above <paramref name="vocabularySize"/> replaced by <paramref name="unknownId"/>,
    /// the way a trained model reads such ids at prediction; this instance when it holds none. Validation data needs it:
    /// the vocabulary is inferred from the training rows, and a tokenizer can give a validation row an id that no
    /// training row kept (a rare word in the part of a long document that a truncation step cut).
    /// </summary>
    public SequenceDataset WithUnknownTokensFrom(int vocabularySize, int unknownId)
    {
        if (_tokens is null || MaxTokenId < vocabularySize)
            return this;
        var tokens = Array.ConvertAll(_tokens, t => t < vocabularySize ? t : unknownId);
        return new SequenceDataset(InputKind, FeatureSize, TargetKind, TargetWidth, _stepOffsets, tokens, _features, _floatTargets, _intTargets,
            ClassCount, _weights, _wide);
    }

    /// <summary>SHA-256 (hex) over the sequences and targets: equal data read the same way gives an equal fingerprint.</summary>
    public string Fingerprint()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_stepOffsets.AsSpan()));
        if (_tokens is not null)
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_tokens.AsSpan()));
        if (_features is not null)
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_features.AsSpan()));
        if (_floatTargets is not null)
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_floatTargets.AsSpan()));
        if (_intTargets is not null)
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_intTargets.AsSpan()));
        if (_weights is not null)
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_weights.AsSpan()));
        if (_wide is not null)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_wide.Offsets.AsSpan()));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_wide.Indices.AsSpan()));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_wide.Values.AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Token ids or float features.</summary>
    public SequenceInputKind InputKind { get; }

    /// <summary>Floats per step for <see cref="SequenceInputKind.Features"/>; 1 for tokens.</summary>
    public int FeatureSize { get; }

    /// <summary>Kind of target stored.</summary>
    public SequenceTargetKind TargetKind { get; }

    /// <summary>Floats per example (<see cref="SequenceTargetKind.Vector"/>) or per step (<see cref="SequenceTargetKind.StepValues"/>); 1 otherwise.</summary>
    public int TargetWidth { get; }

    /// <summary>Number of classes for class targets (from the key type's cardinality, else the largest class + 1); 0 otherwise.</summary>
    public int ClassCount { get; }

    /// <summary>Length of the longest sequence.</summary>
    public int MaxLength { get; }

    /// <summary>Largest token id (0 for feature inputs); a vocabulary needs at least <c>MaxTokenId + 1</c> entries.</summary>
    public int MaxTokenId { get; }

    /// <summary>True when the examples carry weights (an example-weight column); otherwise every example weighs 1.</summary>
    public bool HasWeights => _weights is not null;

    /// <summary>Weight of example <paramref name="index"/> in the loss: finite and at least 0; 1 without weights.</summary>
    public float GetWeight(int index) => _weights is null ? 1f : _weights[index];

    /// <summary>Values of each example's wide feature vector; 0 when the examples carry none.</summary>
    public int WideSize => _wide?.Width ?? 0;

    /// <summary>The non-zero wide features of example <paramref name="index"/>: their values, and their positions in <paramref name="positions"/>.</summary>
    public ReadOnlySpan<float> GetWide(int index, out ReadOnlySpan<int> positions)
    {
        if (_wide is null)
            throw new InvalidOperationException("The dataset holds no wide features.");
        int start = _wide.Offsets[index], length = _wide.Offsets[index + 1] - start;
        positions = _wide.Indices.AsSpan(start, length);
        return _wide.Values.AsSpan(start, length);
    }

    /// <summary>Total number of steps over all examples.</summary>
    public int TotalSteps => _stepOffsets[^1];

    /// <summary>Number of steps of example <paramref name="index"/>.</summary>
    public int GetLength(int index) => _stepOffsets[index + 1] - _stepOffsets[index];

    /// <summary>Token ids of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> GetTokens(int index)
    {
        if (_tokens is null)
            throw new InvalidOperationException("The dataset holds float features, not token ids.");
        return _tokens.AsSpan(_stepOffsets[index], GetLength(index));
    }

    /// <summary>Features of example <paramref name="index"/>, step-major (<c>length * FeatureSize</c> floats).</summary>
    public ReadOnlySpan<float> GetFeatures(int index)
    {
        if (_features is null)
            throw new InvalidOperationException("The dataset holds token ids, not float features.");
        return _features.AsSpan(_stepOffsets[index] * FeatureSize, GetLength(index) * FeatureSize);
    }

    /// <summary>Scalar target of example <paramref name="index"/> (<see cref="SequenceTargetKind.Value"/>).</summary>
    public float GetValue(int index) => RequireFloat(SequenceTargetKind.Value)[index];

    /// <summary>Class target of example <paramref name="index"/> (<see cref="SequenceTargetKind.Class"/>).</summary>
    public int GetClass(int index) => RequireInt(SequenceTargetKind.Class)[index];

    /// <summary>Vector target of example <paramref name="index"/> (<see cref="SequenceTargetKind.Vector"/>).</summary>
    public ReadOnlySpan<float> GetVector(int index) => RequireFloat(SequenceTargetKind.Vector).AsSpan(index * TargetWidth, TargetWidth);

    /// <summary>Per-step classes of example <paramref name="index"/> (<see cref="SequenceTargetKind.StepClasses"/>).</summary>
    public ReadOnlySpan<int> GetStepClasses(int index) => RequireInt(SequenceTargetKind.StepClasses).AsSpan(_stepOffsets[index], GetLength(index));

    /// <summary>Per-step values of example <paramref name="index"/> (<see cref="SequenceTargetKind.StepValues"/>), <c>length * TargetWidth</c> floats.</summary>
    public ReadOnlySpan<float> GetStepValues(int index) =>
        RequireFloat(SequenceTargetKind.StepValues).AsSpan(_stepOffsets[index] * TargetWidth, GetLength(index) * TargetWidth);

    private float[] RequireFloat(SequenceTargetKind kind) =>
        TargetKind == kind ? _floatTargets! : throw new InvalidOperationException($"The dataset's targets are {TargetKind}, not {kind}.");

    private int[] RequireInt(SequenceTargetKind kind) =>
        TargetKind == kind ? _intTargets! : throw new InvalidOperationException($"The dataset's targets are {TargetKind}, not {kind}.");

    /// <summary>Rows of a sparse matrix (compressed rows): row i holds <c>Indices/Values[Offsets[i]..Offsets[i+1]]</c>.</summary>
    private sealed record SparseRows(int Width, int[] Offsets, int[] Indices, float[] Values);

    /// <summary>Accumulates examples into flat growable buffers, then freezes them into a <see cref="SequenceDataset"/>.</summary>
    internal sealed class Builder
    {
        private readonly List<int> _stepOffsets = [0];
        private readonly List<int> _tokens = [];
        private readonly List<float> _features = [];
        private readonly List<float> _floatTargets = [];
        private readonly List<int> _intTargets = [];
        private readonly List<float> _weights = [];
        private readonly List<int> _wideOffsets = [0];
        private readonly List<int> _wideIndices = [];
        private readonly List<float> _wideValues = [];
        private int _maxClass = -1;

        /// <summary>Starts an empty dataset. <paramref name="featureSize"/> is ignored for tokens; <paramref name="targetWidth"/> applies to vector and step-value targets.</summary>
        public Builder(SequenceInputKind inputKind, int featureSize, SequenceTargetKind targetKind, int targetWidth = 1, int classCount = 0, int wideSize = 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(wideSize);
            WideSize = wideSize;
            if (inputKind == SequenceInputKind.Features)
                ArgumentOutOfRangeException.ThrowIfLessThan(featureSize, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(targetWidth, 1);
            ArgumentOutOfRangeException.ThrowIfNegative(classCount);
            InputKind = inputKind;
            FeatureSize = inputKind == SequenceInputKind.Tokens ? 1 : featureSize;
            TargetKind = targetKind;
            TargetWidth = targetKind is SequenceTargetKind.Vector or SequenceTargetKind.StepValues ? targetWidth : 1;
            DeclaredClassCount = classCount;
        }

        /// <summary>Input kind of the dataset being built.</summary>
        public SequenceInputKind InputKind { get; }

        /// <summary>Floats per step.</summary>
        public int FeatureSize { get; }

        /// <summary>Target kind of the dataset being built.</summary>
        public SequenceTargetKind TargetKind { get; }

        /// <summary>Floats per vector target or per step.</summary>
        public int TargetWidth { get; }

        /// <summary>Class count known in advance (a key type's cardinality), or 0 to infer it from the largest class.</summary>
        public int DeclaredClassCount { get; }

        /// <summary>Values of each example's wide feature vector; 0 for none.</summary>
        public int WideSize { get; }

        /// <summary>Examples added so far.</summary>
        public int Count => _stepOffsets.Count - 1;

        /// <summary>Adds a token-id example. Call exactly one target method afterwards unless the target kind is None.</summary>
        public void AddTokens(ReadOnlySpan<int> tokens)
        {
            if (InputKind != SequenceInputKind.Tokens)
                throw new InvalidOperationException("This dataset holds float features.");
            _tokens.AddRange(tokens);
            _stepOffsets.Add(checked(_stepOffsets[^1] + tokens.Length));
        }

        /// <summary>Adds a feature example; the length must be a multiple of <see cref="FeatureSize"/>.</summary>
        public void AddFeatures(ReadOnlySpan<float> features)
        {
            if (InputKind != SequenceInputKind.Features)
                throw new InvalidOperationException("This dataset holds token ids.");
            if (features.Length % FeatureSize != 0)
                throw new ArgumentException($"{features.Length} floats is not a multiple of the feature size {FeatureSize}.", nameof(features));
            _features.AddRange(features);
            _stepOffsets.Add(checked(_stepOffsets[^1] + features.Length / FeatureSize));
        }

        /// <summary>Sets the scalar target of the last example.</summary>
        public void AddValue(float value) => _floatTargets.Add(value);

        /// <summary>Sets the class target of the last example.</summary>
        public void AddClass(int value)
        {
            _intTargets.Add(value);
            _maxClass = Math.Max(_maxClass, value);
        }

        /// <summary>Sets the vector target (<see cref="TargetWidth"/> floats) of the last example.</summary>
        public void AddVector(ReadOnlySpan<float> values) => _floatTargets.AddRange(values);

        /// <summary>Sets the per-step classes of the last example (one per step).</summary>
        public void AddStepClasses(ReadOnlySpan<int> values)
        {
            _intTargets.AddRange(values);
            foreach (int v in values)
                _maxClass = Math.Max(_maxClass, v);
        }

        /// <summary>Sets the per-step values (<c>steps * TargetWidth</c> floats) of the last example.</summary>
        public void AddStepValues(ReadOnlySpan<float> values) => _floatTargets.AddRange(values);

        /// <summary>Adds the weight of an example (in the order of the examples); call it once per example, or never.</summary>
        public void AddWeight(float weight) => _weights.Add(weight);

        /// <summary>
        /// Adds the wide features of an example (in the order of the examples; once per example when
        /// <see cref="WideSize"/> &gt; 0): the positions, ascending and below <see cref="WideSize"/>, of its non-zero values.
        /// </summary>
        public void AddWide(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
        {
            if (WideSize == 0)
                throw new InvalidOperationException("This dataset holds no wide features.");
            if (indices.Length != values.Length)
                throw new ArgumentException($"{indices.Length} positions for {values.Length} values.", nameof(values));
            for (int i = 0; i < indices.Length; i++)
            {
                if (values[i] == 0)
                    continue;
                if ((uint)indices[i] >= (uint)WideSize)
                    throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"A wide feature position must lie in [0, {WideSize}).");
                _wideIndices.Add(indices[i]);
                _wideValues.Add(values[i]);
            }
            _wideOffsets.Add(_wideIndices.Count);
        }

        /// <summary>Checks that every example got its target and freezes the buffers.</summary>
        public SequenceDataset Build()
        {
            int steps = _stepOffsets[^1];
            int expected = TargetKind switch
            {
                SequenceTargetKind.None => 0,
                SequenceTargetKind.Value or SequenceTargetKind.Class => Count,
                SequenceTargetKind.Vector => Count * TargetWidth,
                SequenceTargetKind.StepClasses => steps,
                SequenceTargetKind.StepValues => steps * TargetWidth,
                _ => throw new InvalidOperationException($"Unknown target kind {TargetKind}."),
            };
            bool intTargets = TargetKind is SequenceTargetKind.Class or SequenceTargetKind.StepClasses;
            int actual = intTargets ? _intTargets.Count : _floatTargets.Count;
            if (actual != expected)
                throw new InvalidOperationException($"The builder holds {actual} target values; {Count} examples of kind {TargetKind} need {expected}.");
            if (_weights.Count != 0 && _weights.Count != Count)
                throw new InvalidOperationException($"The builder holds {_weights.Count} weights for {Count} examples.");
            if (WideSize > 0 && _wideOffsets.Count - 1 != Count)
                throw new InvalidOperationException($"The builder holds wide features for {_wideOffsets.Count - 1} of {Count} examples.");
            int classCount = intTargets ? Math.Max(DeclaredClassCount, _maxClass + 1) : 0;
            return new SequenceDataset(InputKind, FeatureSize, TargetKind, TargetWidth, _stepOffsets.ToArray(),
                InputKind == SequenceInputKind.Tokens ? _tokens.ToArray() : null,
                InputKind == SequenceInputKind.Features ? _features.ToArray() : null,
                intTargets || TargetKind == SequenceTargetKind.None ? null : _floatTargets.ToArray(),
                intTargets ? _intTargets.ToArray() : null,
                classCount,
                _weights.Count == 0 ? null : _weights.ToArray(),
                WideSize == 0 ? null : new SparseRows(WideSize, _wideOffsets.ToArray(), _wideIndices.ToArray(), _wideValues.ToArray()));
        }
    }
}
