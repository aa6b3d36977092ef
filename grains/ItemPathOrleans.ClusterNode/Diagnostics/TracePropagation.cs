using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace ItemPathOrleans.ClusterNode.Diagnostics;

/// <summary>
/// Keeps a request's trace id across grain calls, from the API into the silos and between silos,
/// whether or not spans are recorded: Orleans creates its grain-call activities (which carry the
/// trace in the call's request context) only when something listens, and a recording SDK that
/// drops a sample creates no child activity. This listener asks for propagation only: no tags,
/// no recording, the least an activity can cost. Log lines then carry the trace id in their scope.
/// </summary>
public sealed class TracePropagation : IHostedService, IDisposable
{
    /// <summary>Orleans' grain-call activity sources (application grains and runtime grains).</summary>
    public static readonly IReadOnlyList<string> OrleansGrainCallSources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    private ActivityListener? _listener;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener ??= new ActivityListener
        {
            ShouldListenTo = source => OrleansGrainCallSources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            SampleUsingParentId = (ref ActivityCreationOptions<string> _) => ActivitySamplingResult.PropagationData,
        };
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener?.Dispose();
}
