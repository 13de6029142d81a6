using Google.Protobuf;
using P = global::Onnx;

namespace Microsoft.ML.Recurrent.Onnx;

/// <summary>
/// Accumulates an ONNX graph: nodes, constant initializers, inputs and outputs, with unique tensor names. The
/// lowering code of every network part (encoder, heads) writes through it, so parts compose without name clashes.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly P.GraphProto _graph = new() { Name = "recurrent" };
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>The graph built so far.</summary>
    public P.GraphProto Graph => _graph;

    /// <summary>A name not used yet, derived from <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        string name = hint;
        while (!_names.Add(name))
            name = $"{hint}_{++_counter}";
        return name;
    }

    /// <summary>Declares a graph input. A dimension is fixed (a number) or symbolic (a string such as "batch").</summary>
    public string Input(string name, P.TensorProto.Types.DataType type, params object[] dimensions)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"The ONNX tensor name '{name}' is used twice.");
        _graph.Input.Add(ValueInfo(name, type, dimensions));
        return name;
    }

    /// <summary>Declares <paramref name="tensor"/> a graph output under the name <paramref name="name"/> (adding an Identity when they differ).</summary>
    public void Output(string tensor, string name, P.TensorProto.Types.DataType type, params object[] dimensions)
    {
        if (tensor != name)
        {
            if (!_names.Add(name))
                throw new InvalidOperationException($"The ONNX tensor name '{name}' is used twice.");
            _graph.Node.Add(NewNode("Identity", [tensor], [name], []));
        }
        _graph.Output.Add(ValueInfo(name, type, dimensions));
    }

    /// <summary>Adds a float32 constant of the given shape; <paramref name="values"/> is in row-major order.</summary>
    public string Constant(string hint, float[] values, params long[] shape)
        => Constant<float>(hint, values, P.TensorProto.Types.DataType.Float, shape);

    /// <summary>Adds an int64 constant of the given shape.</summary>
    public string Constant(string hint, long[] values, params long[] shape)
        => Constant<long>(hint, values, P.TensorProto.Types.DataType.Int64, shape);

    /// <summary>Adds an int32 constant of the given shape.</summary>
    public string Constant(string hint, int[] values, params long[] shape)
        => Constant<int>(hint, values, P.TensorProto.Types.DataType.Int32, shape);

    private string Constant<T>(string hint, T[] values, P.TensorProto.Types.DataType type, long[] shape) where T : unmanaged
    {
        long expected = shape.Aggregate(1L, (a, b) => a * b);
        if (expected != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill the shape [{string.Join(", ", shape)}].");
        var tensor = new P.TensorProto { Name = Unique(hint), DataType = (int)type };
        tensor.Dims.AddRange(shape);
        // Raw little-endian bytes (the exporter checks the machine's byte order): compact, and read by every ONNX runtime.
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Node(string opType, string[] inputs, params P.AttributeProto[] attributes)
        => Node(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public string[] Node(string opType, string[] inputs, int outputCount, params P.AttributeProto[] attributes)
    {
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++)
            outputs[i] = Unique($"{opType.ToLowerInvariant()}_out");
        _graph.Node.Add(NewNode(opType, inputs, outputs, attributes));
        return outputs;
    }

    /// <summary>An integer attribute.</summary>
    public static P.AttributeProto Int(string name, long value)
        => new() { Name = name, Type = P.AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static P.AttributeProto Float(string name, float value)
        => new() { Name = name, Type = P.AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A string attribute.</summary>
    public static P.AttributeProto String(string name, string value)
        => new() { Name = name, Type = P.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>An integer-list attribute.</summary>
    public static P.AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new P.AttributeProto { Name = name, Type = P.AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A string-list attribute.</summary>
    public static P.AttributeProto Strings(string name, params string[] values)
    {
        var attribute = new P.AttributeProto { Name = name, Type = P.AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }

    /// <summary>Wraps the graph in a model that imports the default ONNX domain at <paramref name="opset"/>.</summary>
    public P.ModelProto ToModel(long opset, string producerVersion, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new P.ModelProto
        {
            // IR version 8 is what opsets 17-18 were released with; ONNX Runtime 1.14+ reads it.
            IrVersion = 8,
            ProducerName = "Microsoft.ML.Recurrent",
            ProducerVersion = producerVersion,
            Graph = _graph,
        };
        model.OpsetImport.Add(new P.OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new P.StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static P.NodeProto NewNode(string opType, string[] inputs, string[] outputs, P.AttributeProto[] attributes)
    {
        var node = new P.NodeProto { OpType = opType, Name = $"{opType}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static P.ValueInfoProto ValueInfo(string name, P.TensorProto.Types.DataType type, object[] dimensions)
    {
        var shape = new P.TensorShapeProto();
        foreach (object dimension in dimensions)
        {
            shape.Dim.Add(dimension switch
            {
                string symbol => new P.TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new P.TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new P.TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"A dimension must be a number or a symbol name; got {dimension}."),
            });
        }
        return new P.ValueInfoProto
        {
            Name = name,
            Type = new P.TypeProto { TensorType = new P.TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
