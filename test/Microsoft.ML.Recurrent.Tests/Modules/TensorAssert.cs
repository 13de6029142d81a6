using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Tests.Modules;

internal static class TensorAssert
{
    public static void AreClose(Tensor expected, Tensor actual, double tolerance, string message)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, $"{message}: shape");
        using var difference = (expected - actual).abs().max();
        double largest = difference.item<float>();
        Assert.IsTrue(largest <= tolerance, $"{message}: largest difference {largest} exceeds {tolerance}");
    }

    public static void AreExactlyZero(Tensor actual, string message)
    {
        if (actual.numel() == 0)
            return;
        using var nonZero = actual.ne(0).sum();
        Assert.AreEqual(0L, nonZero.item<long>(), $"{message}: {nonZero.item<long>()} non-zero values");
    }

    public static float[] Values(Tensor tensor) => tensor.contiguous().data<float>().ToArray();
}
