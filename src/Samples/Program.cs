using System.CommandLine;
using Samples.Common;
using Samples.Forecast;
using Samples.Inspect;
using Samples.LanguageModel;
using Samples.Ner;
using Samples.Onnx;
using Samples.Seq2Seq;
using Samples.Predict;
using Samples.Sentiment;

// Samples for Microsoft.ML.Recurrent. With no arguments: the sentiment sample end to end on generated data.
// A new training command plugs in with one PassThrough line; it keeps its own Run(string[] args) parser.
var root = new RootCommand("Samples for Microsoft.ML.Recurrent. Without a command: the sentiment sample on generated data.")
{
    SampleVerbs.PassThrough("sentiment", SentimentCommand.Usage, SentimentCommand.Run),
    SampleVerbs.PassThrough("language-model", LanguageModelCommand.Usage, LanguageModelCommand.Run),
    SampleVerbs.PassThrough("forecast", ForecastCommand.Usage, ForecastCommand.Run),
    SampleVerbs.PassThrough("ner", NerCommand.Usage, NerCommand.Run),
    SampleVerbs.PassThrough("seq2seq", Seq2SeqCommand.Usage, Seq2SeqCommand.Run),
    SampleVerbs.PassThrough("export-onnx", ExportOnnxCommand.Usage, ExportOnnxCommand.Run),
    InspectCommand.Create(),
    PredictCommand.Create(),
};
root.SetAction(_ => SentimentCommand.Run([]));
try
{
    return SampleVerbs.Invoke(root, args);
}
catch (Exception e) when (e is ArgumentException or FormatException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
