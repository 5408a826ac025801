namespace MoneyKitBridge.Demo.Bridge;

/// <summary>Registers <see cref="BridgeClient"/> with its validated <see cref="DemoOptions"/>.</summary>
public static class BridgeClientRegistration
{
    public static WebApplicationBuilder AddBridgeClient(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(BridgeTokens.HttpClientName);
        builder.Services.AddSingleton<BridgeTokens>();
        builder.Services.AddHttpClient<BridgeClient>();
        return builder;
    }
}
