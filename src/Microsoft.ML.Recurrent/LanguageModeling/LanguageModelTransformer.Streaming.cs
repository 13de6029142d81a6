using Microsoft.ML.Recurrent.Streaming;

namespace Microsoft.ML.Recurrent.LanguageModeling;

public sealed partial class LanguageModelTransformer
{
    /// <summary>
    /// An engine that reads one token stream a token at a time, keeping the recurrent state, and gives the
    /// log-probability so far and the next token's distribution (see <see cref="LanguageModelStreamingEngine"/>).
    /// </summary>
    public LanguageModelStreamingEngine CreateStreamingEngine() => new(this);
}
