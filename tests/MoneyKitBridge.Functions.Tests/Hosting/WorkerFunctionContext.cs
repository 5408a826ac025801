using System.Collections;
using System.Collections.Immutable;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>
/// A <see cref="FunctionContext"/> as the worker hands one to its middleware, for tests without a Functions host: the
/// function's name, its binding data (route values), the <see cref="HttpContext"/> of an HTTP invocation under the
/// key the ASP.NET Core integration uses (<c>FunctionsHttpProxyingMiddleware</c> adds it as
/// <c>Items["HttpRequestContext"]</c>, which <c>GetHttpContext()</c> reads), and the slot of the function's return
/// value (<see cref="Result"/>, offered as an <see cref="InvocationResult"/> feature).
/// </summary>
internal sealed class WorkerFunctionContext : FunctionContext
{
    /// <summary>The key of the ASP.NET Core integration (Worker.Extensions.Http.AspNetCore <c>Constants.HttpContextKey</c>).</summary>
    public const string HttpContextKey = "HttpRequestContext";

    private readonly FeatureSet features = new();

    public WorkerFunctionContext(string functionName, HttpContext? http, IServiceProvider services, IReadOnlyDictionary<string, object?>? bindingData = null)
    {
        FunctionDefinition = new Definition(functionName);
        BindingContext = new Bindings(bindingData ?? new Dictionary<string, object?>());
        InstanceServices = services;
        if (http is not null)
        {
            Items[HttpContextKey] = http;
        }

        features.Set<InvocationResult>(Result);
    }

    /// <summary>The function's return value, as the worker's function executor stores it.</summary>
    public ReturnValue Result { get; } = new();

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext => throw new NotSupportedException("No trace context without a host.");

    public override BindingContext BindingContext { get; }

    public override RetryContext RetryContext => throw new NotSupportedException("No retry context without a host.");

    public override IServiceProvider InstanceServices { get; set; }

    public override FunctionDefinition FunctionDefinition { get; }

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => features;

    public sealed class ReturnValue : InvocationResult
    {
        public override object? Value { get; set; }
    }

    private sealed class Definition(string name) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => typeof(FunctionsAppMarker).Assembly.Location;

        public override string EntryPoint => name;

        public override string Id => name;

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class Bindings(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }

    private sealed class FeatureSet : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> items = [];

        public void Set<T>(T instance) => items[typeof(T)] = instance!;

        public T? Get<T>() => items.TryGetValue(typeof(T), out var value) ? (T)value : default;

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
