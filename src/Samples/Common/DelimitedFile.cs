using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Samples.Common;

/// <summary>
/// A user's delimited text file (CSV, TSV, any single-character separator) read through ML.NET's
/// <see cref="TextLoader"/>, as a Model Builder project reads it: quoted fields (with separators and doubled quotes
/// inside, and line breaks with <see cref="TextFileFormat.Multiline"/>), an optional header line, and columns chosen by header name or 0-based position, the
/// <c>mlnet</c> CLI's convention. The header is read by TextLoader too (as the slot names of a vector column over
/// every field), so no field is split by hand.
/// </summary>
public sealed class DelimitedFile
{
    private DelimitedFile(string path, char separator, bool hasHeader, bool multiline, IReadOnlyList<string> columnNames)
    {
        Path = path;
        Separator = separator;
        HasHeader = hasHeader;
        Multiline = multiline;
        ColumnNames = columnNames;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The field separator.</summary>
    public char Separator { get; }

    /// <summary>True when the first line names the columns.</summary>
    public bool HasHeader { get; }

    /// <summary>True when a quoted field may span lines.</summary>
    public bool Multiline { get; }

    /// <summary>The header's names, or the positions ("0", "1", …) of a file without a header.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The separator names <c>--separator</c> accepts besides one character.</summary>
    internal static readonly IReadOnlyDictionary<string, char> SeparatorNames = new Dictionary<string, char>(StringComparer.OrdinalIgnoreCase)
    {
        ["comma"] = ',', ["tab"] = '\t', ["semicolon"] = ';', ["pipe"] = '|', ["space"] = ' ',
    };

    /// <summary>
    /// Reads the column names of <paramref name="path"/> (the header, or the first row's field count). The separator
    /// is the one in <paramref name="format"/>, else by extension (.csv comma, .tsv tab), else <paramref name="fallbackSeparator"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is empty.</exception>
    public static DelimitedFile Open(MLContext mlContext, string path, TextFileFormat format, char fallbackSeparator)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
        char separator = format.Separator ?? System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ',',
            ".tsv" or ".tab" => '\t',
            _ => fallbackSeparator,
        };
        // A vector column from field 0 to the end: TextLoader sizes it from the file and, with a header, names its slots.
        var fields = new TextLoader.Column("Fields", DataKind.String, [new TextLoader.Range(0, null)]);
        IDataView view;
        try
        {
            view = mlContext.Data.CreateTextLoader(Options([fields], separator, format.HasHeader, format.Multiline), new MultiFileSource(path)).Load(path);
        }
        catch (ArgumentOutOfRangeException)
        {
            // TextLoader cannot size the vector: the file has no line with a field.
            throw new InvalidDataException($"{path} is empty.");
        }
        var column = view.Schema["Fields"];
        int count = column.Type is VectorDataViewType vector ? vector.Size : 1;
        var names = Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (format.HasHeader && column.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> slotNames = default;
            column.GetSlotNames(ref slotNames);
            int i = 0;
            foreach (var name in slotNames.DenseValues())
            {
                if (name.Length > 0)
                    names[i] = name.ToString().Trim();
                i++;
            }
        }
        return new DelimitedFile(path, separator, format.HasHeader, format.Multiline, names);
    }

    /// <summary>
    /// The 0-based position of a column given by header name (exact, else ignoring case) or by position.
    /// </summary>
    /// <param name="column">A header name or a 0-based position.</param>
    /// <param name="option">The option that named it, for the error message.</param>
    /// <exception cref="ArgumentException">No such column; the message lists the file's columns.</exception>
    public int IndexOf(string column, string option)
    {
        int index = FindName(column, StringComparison.Ordinal);
        if (index < 0)
            index = FindName(column, StringComparison.OrdinalIgnoreCase);
        if (index < 0 && int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out int position) && position < ColumnNames.Count)
            index = position;
        if (index >= 0)
            return index;
        string available = HasHeader
            ? "its columns are " + string.Join(", ", ColumnNames.Select((n, i) => $"'{n}' ({i})"))
            : $"it has no header line, so columns are named by position 0 to {ColumnNames.Count - 1}";
        throw new ArgumentException($"{option}: {Path} has no column '{column}'; {available}.");
    }

    /// <summary>The file through a TextLoader reading <paramref name="columns"/> (positions from <see cref="IndexOf"/>).</summary>
    public IDataView Load(MLContext mlContext, params TextLoader.Column[] columns)
        => mlContext.Data.CreateTextLoader(Options(columns, Separator, HasHeader, Multiline)).Load(Path);

    /// <summary>
    /// Reads every row of <paramref name="data"/> (a view of this file) into objects, so that a value TextLoader cannot
    /// convert fails here, with the file, line and column, and not in the middle of training.
    /// </summary>
    /// <exception cref="InvalidDataException">A value does not convert; the message names the file, line and column.</exception>
    public List<T> Read<T>(MLContext mlContext, IDataView data) where T : class, new()
    {
        try
        {
            return mlContext.Data.CreateEnumerable<T>(data, reuseRowObject: false).ToList();
        }
        catch (FormatException e)
        {
            // TextLoader says "Could not parse value X in line N, column C" in the innermost exception.
            throw new InvalidDataException($"{Path}: {e.GetBaseException().Message}", e);
        }
    }

    private static TextLoader.Options Options(TextLoader.Column[] columns, char separator, bool hasHeader, bool multiline) => new()
    {
        Columns = columns,
        Separators = [separator],
        HasHeader = hasHeader,
        AllowQuoting = true,
        // Off by default: in corpora whose texts start with an unmatched quote, a quoted field spanning lines would
        // swallow the rows after it (4 of the 250 rows of ML.NET's Wikipedia Detox sample).
        ReadMultilines = multiline,
        MissingRealsAsNaNs = true,
    };

    private int FindName(string column, StringComparison comparison)
    {
        if (!HasHeader)
            return -1;
        for (int i = 0; i < ColumnNames.Count; i++)
        {
            if (string.Equals(ColumnNames[i], column, comparison))
                return i;
        }
        return -1;
    }
}

/// <summary>How a user's delimited files are laid out (the <see cref="TextFileOptions"/> of a verb).</summary>
/// <param name="Separator">The field separator; null: by the file's extension, else the verb's usual one.</param>
/// <param name="HasHeader">True when the first line names the columns.</param>
/// <param name="Multiline">True when a quoted field may span lines.</param>
public sealed record TextFileFormat(char? Separator, bool HasHeader, bool Multiline);

/// <summary>The options that describe a verb's input files: <c>--separator</c>, <c>--no-header</c>, <c>--multiline</c>.</summary>
public sealed class TextFileOptions
{
    private readonly Option<char?> _separator;
    private readonly Option<bool> _noHeader = VerbOptions.Flag("--no-header", "The data files have no header line (columns are then named by position).");
    private readonly Option<bool> _multiline = VerbOptions.Flag("--multiline", "Quoted fields may span lines.");

    /// <param name="fallbackSeparator">The separator of files whose extension says nothing (the verb's usual format).</param>
    public TextFileOptions(char fallbackSeparator)
    {
        string fallbackName = DelimitedFile.SeparatorNames.First(p => p.Value == fallbackSeparator).Key;
        _separator = new Option<char?>("--separator")
        {
            Description = $"Field separator of the data files: comma, tab, semicolon, pipe, space or one character. Default: comma for .csv, tab for .tsv, else {fallbackName}.",
            HelpName = "SEPARATOR",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (DelimitedFile.SeparatorNames.TryGetValue(text, out char named))
                    return named;
                if (text.Length == 1 && text[0] != '"')
                    return text[0];
                result.AddError(VerbOptions.Invalid("--separator", "comma, tab, semicolon, pipe, space or one character other than a quote", text));
                return null;
            },
        };
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(_separator);
        command.Add(_noHeader);
        command.Add(_multiline);
    }

    /// <summary>The layout the command line gave.</summary>
    public TextFileFormat Read(ParseResult result) => new(result.GetValue(_separator), !result.GetValue(_noHeader), result.GetValue(_multiline));
}
