using Microsoft.ML.Recurrent.MLNetBridge;
using Microsoft.ML.Recurrent.Inspection;
using Microsoft.ML.Recurrent.Runtime;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Recurrent.Training;

/// <summary>
/// One <c>Fit</c> of a trainer (see <see cref="TrainerCore{TOptions}"/>): its channel and seed, the networks it creates
/// (disposed unless the Fit succeeds), the histories of their training, and the model's story.
/// </summary>
internal sealed class FitRun : IDisposable
{
    private readonly TrainingOptions _options;
    private readonly List<nn.Module> _networks = [];
    private readonly List<TrainingHistory> _histories = [];
    private bool _handedOver;

    internal FitRun(TrainingOptions options, IChannel channel, int seed, Device device)
    {
        _options = options;
        Channel = channel;
        Seed = seed;
        Device = device;
    }

    /// <summary>The device every member's network is moved to after it is built (<see cref="TorchDevices"/>).</summary>
    public Device Device { get; }

    /// <summary>The Fit's channel ("Training"): the loops log to it.</summary>
    public IChannel Channel { get; }

    /// <summary>The Fit's seed: <see cref="TrainingOptions.Seed"/>, else drawn from the MLContext.</summary>
    public int Seed { get; }

    /// <summary>The per-epoch history of each member trained so far.</summary>
    public IReadOnlyList<TrainingHistory> Histories => _histories;

    /// <summary>
    /// Creates and trains <paramref name="count"/> networks one after another, all under one <see cref="TrainingSession"/>
    /// (one clock, one time limit, one cancellation token): member <c>m</c> is created by <paramref name="build"/> under the
    /// seed <c>Seed + 7919 m</c> (<see cref="TorchSeeding"/>) and trained by <paramref name="train"/>, on a thread of its
    /// own (<see cref="TrainingThread"/>).
    /// </summary>
    /// <remarks>
    /// Not generic over the network type on purpose: ML.NET's component catalog loads every type of this assembly, and a
    /// type constrained to a TorchSharp type (the closure of a generic method is one) would load TorchSharp in processes
    /// that only score ONNX deployments.
    /// </remarks>
    public List<nn.Module> TrainMembers(int count, Func<nn.Module> build, Func<nn.Module, TrainingMember, TrainingHistory> train)
    {
        var session = new TrainingSession(_options, count, line => Channel.LogInfo(line));
        // On a thread of its own, so that the flush-denormal mode training runs under never reaches the caller's threads.
        return TrainingThread.Run(() =>
        {
            var networks = new List<nn.Module>(count);
            for (int member = 0; member < count; member++)
            {
                int memberSeed = unchecked(Seed + 7919 * member);
                var network = TorchSeeding.Create(memberSeed, build).to(Device);
                _networks.Add(network);
                networks.Add(network);
                if (count > 1)
                    Channel.LogInfo($"Ensemble member {member + 1} of {count}.");
                _histories.Add(train(network, session.StartMember(member, memberSeed)));
            }
            return networks;
        });
    }

    /// <summary>The model's story for a trainer whose training data is a <see cref="SequenceDataset"/>.</summary>
    public ModelStory Story(string component, string task, SequenceDataset training)
        => Story(component, task, training.Count, training.Fingerprint());

    /// <summary>The model's story: the options, the data's row count and fingerprint, the seed and every member's history.</summary>
    public ModelStory Story(string component, string task, long trainingRows, string fingerprint)
        => ModelStoryBuilder.Build(component, task, _options, trainingRows, fingerprint, Seed, _histories);

    /// <summary>The networks now belong to the model built from them: the run no longer disposes them.</summary>
    internal void HandOver() => _handedOver = true;

    /// <summary>Disposes every network the run created, unless they were handed over.</summary>
    public void Dispose()
    {
        if (_handedOver)
            return;
        foreach (var network in _networks)
            network.Dispose();
        _networks.Clear();
    }
}
