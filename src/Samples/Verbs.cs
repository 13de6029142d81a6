using System.CommandLine;
using Samples.Forecast;
using Samples.Inspect;
using Samples.LanguageModel;
using Samples.Music;
using Samples.Tag;
using Samples.Onnx;
using Samples.Predict;
using Samples.Seq2Seq;
using Samples.Sentiment;
using Samples.Speech;

namespace Samples;

/// <summary>The command line: every verb, and the no-argument run (the sentiment sample on generated data).</summary>
public static class Verbs
{
    /// <summary>The root command with every verb. A new verb is one more line here.</summary>
    public static RootCommand CreateRoot()
    {
        var sentiment = SentimentCommand.Create();
        var root = new RootCommand("Microsoft.ML.Recurrent: train recurrent models on your data from the command line. Without a command: the sentiment sample on generated data.")
        {
            sentiment,
            LanguageModelCommand.Create(),
            ForecastCommand.Create(),
            TagCommand.Create(),
            Seq2SeqCommand.Create(),
            SpeechCommand.Create(),
            MusicCommand.Create(),
            ExportOnnxCommand.Create(),
            InspectCommand.Create(),
            PredictCommand.Create(),
        };
        root.SetAction(_ => sentiment.Parse([]).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
        return root;
    }
}
