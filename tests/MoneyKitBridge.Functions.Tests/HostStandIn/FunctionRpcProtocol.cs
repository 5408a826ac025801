using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace MoneyKitBridge.Functions.Tests.HostStandIn;

/// <summary>
/// The host ↔ worker protocol (<c>FunctionRpc.proto</c>) exactly as the worker's own
/// <c>Microsoft.Azure.Functions.Worker.Grpc</c> package compiled it. That package ships its generated message classes as
/// internal types and no <c>.proto</c> files, so the stand-in takes the message descriptors those classes carry and
/// speaks protobuf on the wire with proto3 JSON on the test side: nothing vendored, nothing generated, and a protocol
/// change in a worker update reaches the stand-in with the update.
/// </summary>
internal static class FunctionRpcProtocol
{
    private static readonly FileDescriptor Proto = (FileDescriptor)Type.GetType(
            "Microsoft.Azure.Functions.Worker.Grpc.Messages.FunctionRpcReflection, Microsoft.Azure.Functions.Worker.Grpc", throwOnError: true)!
        .GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!
        .GetValue(null)!;

    private static readonly MessageDescriptor StreamingMessage = Proto.MessageTypes.Single(m => m.Name == "StreamingMessage");
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly Marshaller<IMessage> Frames = Marshallers.Create<IMessage>(m => m.ToByteArray(), StreamingMessage.Parser.ParseFrom);

    /// <summary><c>service FunctionRpc { rpc EventStream (stream StreamingMessage) returns (stream StreamingMessage); }</c></summary>
    public static Method<IMessage, IMessage> EventStream { get; } = new(
        MethodType.DuplexStreaming, Proto.Services.Single().FullName, Proto.Services.Single().FindMethodByName("EventStream").Name, Frames, Frames);

    /// <summary>A <c>StreamingMessage</c> from its proto3 JSON form (unknown fields are an error).</summary>
    public static IMessage FromJson(object message) => Parser.Parse(JsonSerializer.Serialize(message), StreamingMessage);

    /// <summary>The proto3 JSON form of a <c>StreamingMessage</c> (fields at their default value are left out).</summary>
    public static JsonElement ToJson(IMessage message)
    {
        using var json = JsonDocument.Parse(Formatter.Format(message));
        return json.RootElement.Clone();
    }
}
