using System.Reflection;
using ItemPathOrleans.Tests.Infrastructure;
using Microsoft.Extensions.Options;

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
        using var api = new ApiFactory(DispatchProxy.Create<IClusterClient, NoCluster>(), settings: new Dictionary<string, string?> { [key] = value });

        var failure = Record.Exception(() => api.CreateClient());

        // The start reports every options class that failed, each with its own lines.
        var failures = failure is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [failure];
        Assert.True(failures.OfType<OptionsValidationException>().Any(refused => refused.Message.Contains(message, StringComparison.Ordinal)),
            $"the start did not fail naming the setting: {failure}");
    }
}
