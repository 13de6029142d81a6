using Microsoft.ML.Recurrent.Modules;

namespace Microsoft.ML.Recurrent.LanguageModeling;

/// <summary>
/// The part of <c>LanguageModelSettings</c> (Microsoft.ML.Recurrent) that shapes a <see cref="LanguageModelNetwork"/>.
/// The settings also name columns and hold the tokenizer, types of that assembly, which this one cannot reference;
/// they validate themselves before building a shape.
/// </summary>
internal sealed record LanguageModelShape(RecurrentCellType CellType, int VocabularySize, int EmbeddingSize, int HiddenSize, int Layers, bool TieWeights);
