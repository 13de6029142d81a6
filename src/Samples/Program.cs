using Samples.Forecast;
using Samples.LanguageModel;
using Samples.Ner;
using Samples.Onnx;
using Samples.Seq2Seq;
using Samples.Sentiment;

// Samples for Microsoft.ML.Recurrent. With no arguments: the sentiment sample end to end on generated data.
string verb = args.Length == 0 ? "sentiment" : args[0];
string[] rest = args.Length == 0 ? [] : args[1..];
try
{
    return verb switch
    {
        "sentiment" => SentimentCommand.Run(rest),
        "language-model" => LanguageModelCommand.Run(rest),
        "forecast" => ForecastCommand.Run(rest),
        "ner" => NerCommand.Run(rest),
        "export-onnx" => ExportOnnxCommand.Run(rest),
        "seq2seq" => Seq2SeqCommand.Run(rest),
        "--help" or "-h" or "help" => Usage(0),
        _ => Usage(2),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static int Usage(int exitCode)
{
    Console.Error.WriteLine("usage: Samples <command> [options]   (no arguments: sentiment on generated data)");
    Console.Error.WriteLine("  sentiment [--data PATH.tsv] [--valid PATH.tsv] [--epochs N] [--model PATH] [--json]");
    Console.Error.WriteLine("            [--ensemble K] [--hidden H] [--embedding E] [--minutes M] [--seed S] [--threads T] [--no-header] [--text-column I] [--label-column I]");
    Console.Error.WriteLine("  language-model [--data PATH] [--granularity char|word] [--valid PATH] [--minutes N] [--epochs N] [--model PATH] [--prompt TEXT] [--json]");
    Console.Error.WriteLine("  forecast [--data PATH.csv] [--value-column NAME] [--date-column NAME] [--horizon H] [--season S] [--holdout N] [--model PATH] [--plot PATH.png] [--json]");
    Console.Error.WriteLine("  ner [--data TRAIN] [--valid PATH] [--test PATH] [--epochs N] [--model PATH] [--json]");
    Console.Error.WriteLine("  export-onnx --model PATH.zip --out PATH.onnx [--length T] [--no-deployment]");
    Console.Error.WriteLine("  seq2seq [--data PATH.tsv] [--epochs N] [--beam K] [--model PATH] [--json]");
    return exitCode;
}
