using ItemPathOrleans.ClusterNode.Diagnostics;
using ItemPathOrleans.Grains.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace ItemPathOrleans.UnitTests.ClusterNode.Diagnostics;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class LogTextTests
{
    [Theory]
    [InlineData("/api/users/login", "/api/users/login")]
    [InlineData("Zoë 日本 \U0001F600", "Zoë 日本 \U0001F600")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a\nforged line", "a\\u000aforged line")]
    [InlineData("a\r\nb", "a\\u000d\\u000ab")]
    [InlineData("nul\u0000 bell\u0007 esc\u001b[31m del\u007f", "nul\\u0000 bell\\u0007 esc\\u001b[31m del\\u007f")]
    [InlineData("c1\u0085 \u009b", "c1\\u0085 \\u009b")]
    [InlineData("sep\u2028 \u2029", "sep\\u2028 \\u2029")]
    [InlineData("\u202Enimda zero\u200Bwidth", "\\u202enimda zero\\u200bwidth")]
    [InlineData("back\\slash and \\u000a typed", "back\\u005cslash and \\u005cu000a typed")]
    public void Client_text_is_escaped_for_a_log_line(string? text, string expected) => Assert.Equal(expected, LogText.Escape(text));

    [Fact]
    public void Unpaired_surrogates_are_escaped_and_pairs_kept()
    {
        // Built here: test data serialization would replace unpaired surrogates.
        var text = "lone " + '\ud800' + " surrogate " + '\udc00' + " pair \U0001F600";
        Assert.Equal("lone \\ud800 surrogate \\udc00 pair \U0001F600", LogText.Escape(text));
    }

    [Fact]
    public void Long_client_text_is_cut_saying_how_long_it_was()
    {
        var escaped = LogText.Escape(new string('a', 10_000));
        Assert.Equal(new string('a', LogText.MaxLength) + "...(10000 characters)", escaped);
    }

    [Fact]
    public async Task A_security_event_logs_its_detail_escaped_and_stores_it_as_it_is()
    {
        var capture = new LogCapture("silo");
        using var loggers = LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        var store = new InMemorySecurityEventStore(Options.Create(new ClusterOptions { ServiceId = $"log-text-{Guid.NewGuid():N}" }));
        var events = new SecurityEvents(store, loggers.CreateLogger<SecurityEvents>());

        const string Detail = "username log-a\u200Db\nforged: login_succeeded";
        await events.RecordAsync(new SecurityEvent("default", 7, SecurityEventNames.UserDeleted, Detail, DateTimeOffset.UtcNow));

        var line = Assert.Single(capture.Lines);
        Assert.DoesNotContain("\n", line.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u200D", line.Text, StringComparison.Ordinal);
        Assert.Contains("username log-a\\u200db\\u000aforged: login_succeeded", line.Text, StringComparison.Ordinal);
        Assert.Equal(Detail, Assert.Single(store.Events).Detail);
    }
}
