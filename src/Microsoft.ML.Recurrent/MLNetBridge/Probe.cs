namespace Microsoft.ML.Recurrent.MLNetBridge;
internal static class Probe
{
    internal static Microsoft.ML.Runtime.IHostEnvironment Env(MLContext c) => Microsoft.ML.Data.CatalogUtils.GetEnvironment(c.Transforms);
}
