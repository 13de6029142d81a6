namespace Microsoft.ML.Recurrent.Tagging;

/// <summary>
/// The reserved ids of a tagger's input steps, shared by the network (embedding sizes, padding rows, word dropout)
/// and by <c>TokenFeatures</c> in Microsoft.ML.Recurrent, which writes the steps; defined here because this assembly
/// cannot reference that one.
/// </summary>
internal static class TaggerInputIds
{
    /// <summary>Padding, for words, casing classes and characters.</summary>
    public const int PaddingId = 0;

    /// <summary>A word or character outside the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>The id of the first vocabulary entry.</summary>
    public const int FirstVocabularyId = 2;

    /// <summary>Casing classes (ids 1..7; 0 is padding).</summary>
    public const int CasingCount = 8;
}
