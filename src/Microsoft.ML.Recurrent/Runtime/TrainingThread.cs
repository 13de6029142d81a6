using System.Runtime.ExceptionServices;

namespace Microsoft.ML.Recurrent.Runtime;

/// <summary>
/// Runs a training on a thread of its own with flush-denormal mode on (<see cref="FlushDenormal"/>), and waits for it.
/// </summary>
/// <remarks>
/// Denormal numbers slow LSTM training many times over on some processors, so training wants the mode on, in the
/// training thread and in LibTorch's worker threads. Those workers (libgomp's) belong to the thread that first runs a
/// parallel operation, are created by it, inherit its floating-point mode then, and live as long as it does: training
/// on the caller's thread left the caller with workers that flush denormals, so its later inference could differ from
/// that of a process that never trained. On a thread of its own, the training creates its own workers with the mode on,
/// and they end with it; the caller's thread and its workers are never touched. The exception of a failed training is
/// rethrown on the caller with its original stack trace; the caller's execution context (culture, async locals) flows
/// to the training thread.
/// </remarks>
internal static class TrainingThread
{
    public static T Run<T>(Func<T> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            FlushDenormal.TryEnableForCurrentThread();
            try
            {
                result = train();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            Name = "Microsoft.ML.Recurrent training",
            // The caller waits for it; a process that ends meanwhile need not.
            IsBackground = true,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
