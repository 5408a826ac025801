using MoneyKitBridge.Functions.Hosting;

namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>The mode switch: worker mode only when the Functions host configured its endpoint, standalone otherwise.</summary>
public sealed class WorkerHostingTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("--functions-uri", "http://127.0.0.1:50051/")]
    [InlineData("--functions-uri=http://127.0.0.1:50051/", null)]
    [InlineData("--Functions:Worker:HostEndpoint", "http://127.0.0.1:50051/")]
    public void The_host_endpoint_on_the_command_line_selects_worker_mode(string first, string? second)
    {
        string[] args = second is null ? [first] : [first, second, "--functions-worker-id", "w1"];

        Assert.True(WorkerHosting.IsLaunchedByHost(args, NoEnvironment));
    }

    [Fact]
    public void The_legacy_host_and_port_arguments_select_worker_mode()
    {
        Assert.True(WorkerHosting.IsLaunchedByHost(["--host", "127.0.0.1", "--port", "50051", "--workerId", "w1"], NoEnvironment));
    }

    [Fact]
    public void The_host_endpoint_in_the_environment_selects_worker_mode()
    {
        Assert.True(WorkerHosting.IsLaunchedByHost([], name => name == "Functions__Worker__HostEndpoint" ? "http://127.0.0.1:50051/" : null));
    }

    [Theory]
    [InlineData]
    [InlineData("--urls", "http://127.0.0.1:7071")]
    [InlineData("--host", "example")]
    public void Without_a_host_endpoint_the_app_runs_standalone(params string[] args)
    {
        Assert.False(WorkerHosting.IsLaunchedByHost(args, name => name == "FUNCTIONS_WORKER_RUNTIME" ? "dotnet-isolated" : null));
    }
}
