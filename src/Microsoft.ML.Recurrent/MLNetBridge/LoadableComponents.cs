using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Classification;
using Microsoft.ML.Recurrent.Forecasting;
using Microsoft.ML.Recurrent.LanguageModeling;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Seq2Seq;
using Microsoft.ML.Recurrent.Tagging;
using Microsoft.ML.Runtime;

// The trained models of this assembly that ML.NET loads from a model .zip (see the same file in
// Microsoft.ML.Recurrent.Onnx): registration is ML.NET-internal, so it lives here, in the bridge.
[assembly: LoadableClass(typeof(RecurrentSequenceTransformer), typeof(ComponentLoader<RecurrentSequenceTransformer>), null, typeof(SignatureLoadModel), "Recurrent Sequence Model", RecurrentSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<RecurrentSequenceTransformer>), null, typeof(SignatureLoadRowMapper), "Recurrent Sequence Model", RecurrentSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(SequenceTaggingTransformer), typeof(ComponentLoader<SequenceTaggingTransformer>), null, typeof(SignatureLoadModel), "Sequence Tagging Model", SequenceTaggingTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<SequenceTaggingTransformer>), null, typeof(SignatureLoadRowMapper), "Sequence Tagging Model", SequenceTaggingTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(LanguageModelTransformer), typeof(ComponentLoader<LanguageModelTransformer>), null, typeof(SignatureLoadModel), "Recurrent Language Model", LanguageModelTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<LanguageModelTransformer>), null, typeof(SignatureLoadRowMapper), "Recurrent Language Model", LanguageModelTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(Seq2SeqTransformer), typeof(ComponentLoader<Seq2SeqTransformer>), null, typeof(SignatureLoadModel), "Recurrent Seq2Seq Model", Seq2SeqTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<Seq2SeqTransformer>), null, typeof(SignatureLoadRowMapper), "Recurrent Seq2Seq Model", Seq2SeqTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(RecurrentForecastingTransformer), typeof(ComponentLoader<RecurrentForecastingTransformer>), null, typeof(SignatureLoadModel), "Recurrent Forecasting Model", RecurrentForecastingTransformer.LoaderSignature)]
