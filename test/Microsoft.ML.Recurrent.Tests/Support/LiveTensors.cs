using System.Runtime;
using TorchSharp;

namespace Microsoft.ML.Recurrent.Tests.Support;

/// <summary>
/// Counts the TorchSharp tensors an action leaves alive. <see cref="torch.Tensor.TotalCount"/> is process-wide and
/// falls whenever the garbage collector finalizes an undisposed tensor, of this test or of any earlier one; so the
/// count is taken after a full collection and the action runs in a no-GC region, where no finalizer can run. What the
/// action leaves undisposed is then counted whether or not anything still references it.
/// </summary>
internal static class LiveTensors
{
    // Enough for the tiny fits these tests run; a larger allocation ends the region and the count is retried.
    private const long ManagedBudget = 200L * 1024 * 1024;

    /// <summary>The change in live tensors over <paramref name="action"/>, measured with no garbage collection during it.</summary>
    public static long LeftBehindBy(Action action)
    {
        for (int attempt = 1; ; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            long before = torch.Tensor.TotalCount;
            bool inRegion = GC.TryStartNoGCRegion(ManagedBudget);
            try
            {
                action();
            }
            finally
            {
                if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                    GC.EndNoGCRegion();
                else
                    inRegion = false;
            }
            long after = torch.Tensor.TotalCount;
            if (inRegion)
                return after - before;
            if (attempt == 3)
                Assert.Inconclusive($"the action allocated more than {ManagedBudget / 1024 / 1024} MB three times, so a collection ran during the count");
        }
    }
}
