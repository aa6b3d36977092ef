using System.Reflection;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ItemPathOrleans.Tests.Operations;

/// <summary>A bad setting stops an API node at start, and the operator reads which setting and what it must be.</summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class OptionsValidationTests
{
    /// <summary>No cluster is reached before the options are validated: a client that answers nothing will do.</summary>
    public class NoCluster : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData("Cors:PreflightMaxAgeSeconds", "-1", "Cors:PreflightMaxAgeSeconds must be between 0 and 86400.")]
    [InlineData("Tenancy:TrustedProxies:0", "proxy.example.test", "Tenancy:TrustedProxies: 'proxy.example.test' is not an IP address.")]
    [InlineData("RateLimit:FailedLoginsPerMinute", "-1", "RateLimit:FailedLoginsPerMinute must be 0 (off) or more")]
    [InlineData("Orleans:ResponseTimeoutSeconds", "0", "Orleans:ResponseTimeoutSeconds must be between 1 and 600")]
    public void A_bad_setting_stops_the_start_with_a_message_naming_it(string key, string value, string message)
    {
        using var log = new LogCapture("api");
        using var api = new ApiFactory(DispatchProxy.Create<IClusterClient, NoCluster>(), settings: new Dictionary<string, string?> { [key] = value });
        using var node = api.WithWebHostBuilder(b => b.ConfigureLogging(logging => logging.AddProvider(log)));

        // The start fails. What the caller is handed depends on a race in the test host (the failed
        // host may be disposed before it is asked for its lifetime), so the message is read where an
        // operator reads it: the log of the failed start, which reports every options class that
        // failed, each with its own lines.
        Assert.NotNull(Record.Exception(() => node.CreateClient()));
        Assert.True(log.Lines.Any(line => line.Level >= LogLevel.Error && line.Text.Contains("OptionsValidationException", StringComparison.Ordinal)
                                          && line.Text.Contains(message, StringComparison.Ordinal)),
            $"no log line of the failed start names the setting:\n{string.Join("\n", log.Lines.Where(l => l.Level >= LogLevel.Error))}");
    }
}
