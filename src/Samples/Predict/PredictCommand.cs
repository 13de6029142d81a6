using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Inspection;
using Samples.Common;

namespace Samples.Predict;

/// <summary>
/// <c>predict --model PATH [--text TEXT] [--json] [--all-columns]</c>: loads any text-input model of this library in
/// a fresh MLContext, feeds it the text (or each line of standard input) and prints its outputs. The text goes to the
/// text columns of the model's saved input schema, except the label; for a language model with a prompt column the
/// prompt gets it too, so the output includes the generated continuation.
/// </summary>
public static class PredictCommand
{
    private const string InputColumn = "__PredictInput";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private sealed class InputRow
    {
        public string Text { get; set; } = "";
    }

    public static Command Create()
    {
        var model = VerbOptions.ExistingFile("--model", "The model .zip (sentiment, multiclass, language model, ...).", required: true);
        var text = new Option<string?>("--text") { Description = "The text to predict for; without it, each line of standard input." };
        var json = new Option<bool>("--json") { Description = "One JSON object per input: the input and every output column." };
        var all = new Option<bool>("--all-columns") { Description = "Print every column the model adds (e.g. Tokens), not only its predictions." };
        var command = new Command("predict", "Load a saved model and predict for text given with --text or on standard input (one text per line).") { model, text, json, all };
        command.SetAction(result => Run(result.GetRequiredValue(model)!.FullName, result.GetValue(text), result.GetValue(json), result.GetValue(all)));
        return command;
    }

    public static int Run(string modelPath, string? text, bool json, bool allColumns)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
        var ml = new MLContext();
        var model = ml.Model.Load(modelPath, out var inputSchema);
        var textColumns = TextColumns(model, inputSchema);
        if (textColumns.Count == 0)
        {
            string inputs = string.Join(", ", inputSchema.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"));
            throw new ArgumentException($"{modelPath} takes no text column; its inputs are: {inputs}. predict handles text-input models only.");
        }

        // Interactive typing gets an answer per line; piped input is scored in one pass, which batches the network.
        IEnumerable<List<string>> batches = text is not null ? [[text]]
            : Console.IsInputRedirected ? [ReadLines().ToList()]
            : ReadLines().Select(line => new List<string> { line });
        foreach (var batch in batches)
        {
            if (batch.Count == 0)
                continue;
            var data = Feed(ml, batch, textColumns);
            var scored = model.Transform(data);
            var columns = allColumns ? ScoredColumns.AddedColumns(scored.Schema, data.Schema) : ScoredColumns.PredictionColumns(model, data.Schema);
            int i = 0;
            foreach (var row in ScoredColumns.Read(scored, columns))
                Print(batch[i++], row, json);
        }
        return 0;
    }

    /// <summary>Text columns of the input schema, without the label the model was trained on.</summary>
    private static List<string> TextColumns(ITransformer model, DataViewSchema inputSchema)
    {
        var labels = ModelInspector.Stories(model)
            .Select(s => s.Hyperparameters.GetValueOrDefault("LabelColumnName"))
            .Append("Label")
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        return inputSchema.Where(c => !c.IsHidden && c.Type is TextDataViewType && !labels.Contains(c.Name)).Select(c => c.Name).ToList();
    }

    /// <summary>One row per text, with the text copied to every text input column of the model.</summary>
    private static IDataView Feed(MLContext ml, List<string> texts, List<string> textColumns)
    {
        var definition = SchemaDefinition.Create(typeof(InputRow));
        definition[0].ColumnName = InputColumn;
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new InputRow { Text = t }), definition);
        IEstimator<ITransformer> copies = ml.Transforms.CopyColumns(textColumns[0], InputColumn);
        foreach (string column in textColumns.Skip(1))
            copies = copies.Append(ml.Transforms.CopyColumns(column, InputColumn));
        return copies.Fit(data).Transform(data);
    }

    private static IEnumerable<string> ReadLines()
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line.Trim().Length > 0)
                yield return line;
        }
    }

    private static void Print(string input, List<KeyValuePair<string, object?>> outputs, bool json)
    {
        if (json)
        {
            var record = new Dictionary<string, object?> { ["input"] = input };
            foreach (var (name, value) in outputs)
                record[name] = value;
            Console.WriteLine(JsonSerializer.Serialize(record, Json));
            return;
        }
        Console.WriteLine(input);
        foreach (var (name, value) in outputs)
            Console.WriteLine($"  {name,-16} {Format(value)}");
    }

    private static string Format(object? value) => value switch
    {
        null => "(missing)",
        float f => f.ToString("F4", CultureInfo.InvariantCulture),
        double d => d.ToString("F4", CultureInfo.InvariantCulture),
        object?[] items => "[" + string.Join(", ", items.Take(20).Select(Format)) + (items.Length > 20 ? $", … ({items.Length} values)" : "") + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
