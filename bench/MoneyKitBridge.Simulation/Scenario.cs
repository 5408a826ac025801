using MoneyKitBridge.Core.Refresh;
using MoneyKitBridge.Simulation.MoneyKit;
using MoneyKitBridge.Simulation.Storage;

namespace MoneyKitBridge.Simulation;

/// <summary>One simulated set-up: the links, the job's options, the timer period and the modelled services.</summary>
internal sealed record Scenario
{
    public required string Name { get; init; }

    public int Links { get; init; } = 1_000_000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How often the timer fires (the period of <see cref="RefreshOptions.Schedule"/>).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMinutes(15);

    public RefreshOptions Refresh { get; init; } = new();

    public MoneyKitModel MoneyKit { get; init; } = new();

    public TableModel Table { get; init; } = new();

    /// <summary>Staleness is sampled this often, from <see cref="WarmUp"/> on.</summary>
    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Samples before this are left out (the start is an idealised spread of ages).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Age of link <c>i</c>'s transactions at the start; by default spread evenly over <see cref="RefreshOptions.StaleAfter"/>.</summary>
    public Func<int, TimeSpan>? InitialAge { get; init; }

    /// <summary>The goal: every connected link refreshed within this.</summary>
    public TimeSpan Goal { get; init; } = TimeSpan.FromHours(6);

    public int Seed { get; init; } = 16;

    public DateTimeOffset Start { get; init; } = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    public TimeSpan AgeAtStart(int link) =>
        InitialAge?.Invoke(link) ?? TimeSpan.FromTicks((long)(Refresh.StaleAfter.Ticks * ((link * 0.6180339887498949) % 1.0)));
}
