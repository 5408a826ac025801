namespace MoneyKitBridge.Functions.Tests.Hosting;

/// <summary>One method + route of a function (or of an app endpoint), with the <c>api/</c> prefix for HTTP functions.</summary>
internal sealed record FunctionRoute(string Name, string Method, string Route)
{
    public override string ToString() => $"{Name} {Method} {Route}";
}

internal static class RepositoryLayout
{
    /// <summary>The folder holding Functions.sln, found by walking up from the test binaries.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException("Functions.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
