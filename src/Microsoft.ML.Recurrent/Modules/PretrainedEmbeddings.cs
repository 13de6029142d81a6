using System.Globalization;

namespace Microsoft.ML.Recurrent.Modules;

/// <summary>
/// Reads pre-trained word vectors in the GloVe / word2vec text format: one word per line followed by its vector
/// components, separated by spaces, with an optional word2vec header line "count dimension".
/// </summary>
public static class PretrainedEmbeddings
{
    /// <summary>Seed of the random vectors given to vocabulary words the file lacks, so that loading is reproducible.</summary>
    public const int RandomSeed = 20_240_601;

    /// <summary>Standard deviation of the random vectors given to vocabulary words the file lacks.</summary>
    public const float RandomScale = 0.1f;

    private static readonly char[] Separators = [' ', '\t'];

    /// <summary>
    /// Builds an embedding matrix [vocabulary.Count, dimension] for <paramref name="vocabulary"/>: rows of words found in
    /// the file (matched exactly, first occurrence wins) are copied, other rows are normal(0, 0.1) random vectors drawn
    /// from a fixed seed, and row 0 (the padding id) is zero.
    /// </summary>
    /// <param name="path">The text file of word vectors.</param>
    /// <param name="vocabulary">Words by id; id 0 is the padding id.</param>
    /// <param name="dimension">The vector width found in the file.</param>
    /// <returns>The embedding matrix, one row per vocabulary id.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line has a different dimension or a malformed number, or the file holds no vectors.</exception>
    public static float[,] Load(string path, IReadOnlyList<string> vocabulary, out int dimension)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The pre-trained word vector file '{path}' does not exist.", path);

        var ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (int id = 1; id < vocabulary.Count; id++)
            ids.TryAdd(vocabulary[id], id);

        var found = new Dictionary<int, float[]>();
        int width = -1;
        int lineNumber = 0;
        using (var reader = new StreamReader(path))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                var fields = line.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length == 0)
                    continue;
                if (lineNumber == 1 && IsWord2VecHeader(fields, out int declared))
                {
                    width = declared;
                    continue;
                }
                if (width < 0)
                    width = fields.Length - 1;
                if (fields.Length - 1 != width || width < 1)
                    throw new FormatException(
                        $"{path}, line {lineNumber}: expected a word and {width} numbers, found {fields.Length - 1} numbers.");
                if (!ids.TryGetValue(fields[0], out int wordId) || found.ContainsKey(wordId))
                    continue;
                found[wordId] = ParseVector(fields, path, lineNumber);
            }
        }
        if (width < 1)
            throw new FormatException($"{path}: the file holds no word vectors.");

        dimension = width;
        var matrix = new float[vocabulary.Count, width];
        var random = new Random(RandomSeed);
        for (int id = 0; id < vocabulary.Count; id++)
        {
            // Drawn for every row, found or not, so a word's random vector does not depend on which other words the file holds.
            for (int d = 0; d < width; d++)
                matrix[id, d] = RandomScale * StandardNormal(random);
            if (id == 0)
                ClearRow(matrix, 0, width);
            else if (found.TryGetValue(id, out var vector))
                for (int d = 0; d < width; d++)
                    matrix[id, d] = vector[d];
        }
        return matrix;
    }

    private static bool IsWord2VecHeader(string[] fields, out int dimension)
    {
        dimension = 0;
        return fields.Length == 2
            && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out dimension)
            && dimension > 0;
    }

    private static float[] ParseVector(string[] fields, string path, int lineNumber)
    {
        var vector = new float[fields.Length - 1];
        for (int d = 0; d < vector.Length; d++)
        {
            if (!float.TryParse(fields[d + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out vector[d]))
                throw new FormatException($"{path}, line {lineNumber}: '{fields[d + 1]}' is not a number.");
        }
        return vector;
    }

    private static void ClearRow(float[,] matrix, int row, int width)
    {
        for (int d = 0; d < width; d++)
            matrix[row, d] = 0f;
    }

    private static float StandardNormal(Random random)
    {
        // Box-Muller; 1 - NextDouble() lies in (0, 1], keeping the logarithm finite.
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
