using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Operations;

/// <summary>
/// A request's trace goes from the API into the silos through Orleans, and the silo's log lines
/// written for it carry its trace id: a log search by trace id finds both sides of one request.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class TracingTests : IAsyncLifetime
{
    private readonly ScopeCapture _siloLog = new();
    private readonly ScopeCapture _apiLog = new();
    private InProcessTestCluster _cluster = null!;
    private WebApplicationFactory<Program> _api = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        var configuration = TestSettings.Configuration(overrides: new Dictionary<string, string?>
        {
            ["Passwords:MemoryKib"] = "8192",
            ["Passwords:Iterations"] = "1",
        });
        builder.ConfigureHost(host => host.Configuration.AddConfiguration(configuration));
        builder.ConfigureSiloHost((_, host) => host.Logging.AddProvider(_siloLog));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddItemPathGrains(configuration);
            silo.Services.AddItemPathSiloObservability(configuration);
        });
        // As the API's own client is configured (Program.cs).
        builder.ConfigureClient(client => client.AddActivityPropagation());
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        _api = new ApiFactory(_cluster.Client).WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(_apiLog).SetMinimumLevel(LogLevel.Trace).AddFilter<ScopeCapture>(null, LogLevel.Trace)));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_login_s_trace_id_reaches_the_silo_s_log_lines()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var http = _api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users/login")
        {
            Content = JsonContent.Create(new { username = "admin", password = TestSettings.AdminPassword }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

        // The security event login_succeeded is logged by the user grain, two grain calls away from the API.
        var events = _siloLog.Lines.Where(l => l.EventId == 4000 && l.Message.Contains("login_succeeded", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(traceId, e.TraceId));
        // The API's own lines for the request carry it too. The hosting layer writes "Request
        // finished" once the response is complete, which can be after the client has it.
        var finished = await _apiLog.FirstAsync(l => l.Message.StartsWith("Request finished", StringComparison.Ordinal) && l.Message.Contains("/api/users/login", StringComparison.Ordinal));
        Assert.Equal(traceId, finished.TraceId);

        // A request without a caller's trace gets one of its own, different per request.
        var before = _siloLog.Lines.Count;
        using var second = new HttpRequestMessage(HttpMethod.Post, "/api/users/login")
        {
            Content = JsonContent.Create(new { username = "admin", password = TestSettings.AdminPassword }),
        };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(second)).StatusCode);
        var next = _siloLog.Lines.Skip(before).Single(l => l.EventId == 4000 && l.Message.Contains("login_succeeded", StringComparison.Ordinal));
        Assert.NotNull(next.TraceId);
        Assert.NotEqual(traceId, next.TraceId);
    }

    private sealed record Line(int EventId, string Message, string? TraceId);

    /// <summary>Log lines with the <c>TraceId</c> of the scopes around them (the logger factory's activity scope included).</summary>
    private sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<Line> _lines = new();
        private readonly ConcurrentQueue<(Func<Line, bool> Match, TaskCompletionSource<Line> Found)> _waiting = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IReadOnlyList<Line> Lines => _lines.ToList();

        /// <summary>The first line that matches, written already or still to come (bounded: 30 s).</summary>
        public Task<Line> FirstAsync(Func<Line, bool> match)
        {
            var found = new TaskCompletionSource<Line>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Registered before the look back, and a writer adds its line before it looks at the
            // waiting list: a line written in between is seen by one side or the other.
            _waiting.Enqueue((match, found));
            if (_lines.FirstOrDefault(match) is { } line) found.TrySetResult(line);
            return found.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        private void Add(Line line)
        {
            _lines.Enqueue(line);
            foreach (var (match, found) in _waiting)
            {
                if (!found.Task.IsCompleted && match(line)) found.TrySetResult(line);
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                string? traceId = null;
                owner._scopes.ForEachScope((scope, _) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, value) in pairs)
                        {
                            if (key == "TraceId") traceId = value?.ToString();
                        }
                    }
                }, (object?)null);
                owner.Add(new Line(eventId.Id, formatter(state, exception), traceId));
            }
        }
    }
}
