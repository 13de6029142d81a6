using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Recurrent.Audio;
using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Onnx;
using Microsoft.ML.Recurrent.Sequences;
using Microsoft.ML.Recurrent.Text;
using Microsoft.ML.Runtime;

// The components of this assembly that ML.NET loads from a model .zip, by the loader signature their ComponentFormat
// writes: each as a transformer of a pipeline (SignatureLoadModel) and, when it maps rows, as the row mapper of a
// scoring view (SignatureLoadRowMapper). Registration is ML.NET-internal, so it lives here, in the bridge.
[assembly: LoadableClass(typeof(PadSequenceTransformer), typeof(ComponentLoader<PadSequenceTransformer>), null, typeof(SignatureLoadModel), "Pad Sequence", PadSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<PadSequenceTransformer>), null, typeof(SignatureLoadRowMapper), "Pad Sequence", PadSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(NormalizeSequenceTransformer), typeof(ComponentLoader<NormalizeSequenceTransformer>), null, typeof(SignatureLoadModel), "Normalize Sequence", NormalizeSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<NormalizeSequenceTransformer>), null, typeof(SignatureLoadRowMapper), "Normalize Sequence", NormalizeSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(TokenizeToSequenceTransformer), typeof(ComponentLoader<TokenizeToSequenceTransformer>), null, typeof(SignatureLoadModel), "Tokenize To Sequence", TokenizeToSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<TokenizeToSequenceTransformer>), null, typeof(SignatureLoadRowMapper), "Tokenize To Sequence", TokenizeToSequenceTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(LogCountRatioTransformer), typeof(ComponentLoader<LogCountRatioTransformer>), null, typeof(SignatureLoadModel), "Weight By Log-Count Ratio", LogCountRatioTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<LogCountRatioTransformer>), null, typeof(SignatureLoadRowMapper), "Weight By Log-Count Ratio", LogCountRatioTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(TaggingTagNamesTransformer), typeof(ComponentLoader<TaggingTagNamesTransformer>), null, typeof(SignatureLoadModel), "Tagging ONNX Tag Names", TaggingTagNamesTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<TaggingTagNamesTransformer>), null, typeof(SignatureLoadRowMapper), "Tagging ONNX Tag Names", TaggingTagNamesTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(TaggingFeaturesTransformer), typeof(ComponentLoader<TaggingFeaturesTransformer>), null, typeof(SignatureLoadModel), "Tagging ONNX Features", TaggingFeaturesTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<TaggingFeaturesTransformer>), null, typeof(SignatureLoadRowMapper), "Tagging ONNX Features", TaggingFeaturesTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(SequenceScoreTransformer), typeof(ComponentLoader<SequenceScoreTransformer>), null, typeof(SignatureLoadModel), "Sequence Score Columns", SequenceScoreTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<SequenceScoreTransformer>), null, typeof(SignatureLoadRowMapper), "Sequence Score Columns", SequenceScoreTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(MfccTransformer), typeof(ComponentLoader<MfccTransformer>), null, typeof(SignatureLoadModel), "Extract MFCC", MfccTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(ComponentLoader<MfccTransformer>), null, typeof(SignatureLoadRowMapper), "Extract MFCC", MfccTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(ForecastWindowsTransformer), typeof(ComponentLoader<ForecastWindowsTransformer>), null, typeof(SignatureLoadModel), "Forecasting ONNX Windows", ForecastWindowsTransformer.LoaderSignature)]
