using System.Collections.Concurrent;
using ItemPathOrleans.ClusterNode.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Protocols;

namespace ItemPathOrleans.Api.Sso;

/// <summary>
/// OpenID metadata and signing keys per authority, each through its own
/// <see cref="ConfigurationManager{T}"/> (which refreshes them in the background every 12 hours).
/// A token whose <c>kid</c> is not among the keys triggers one immediate refetch, so a key
/// rollover at the provider works at once; such refetches happen at most once a minute per
/// authority (the first fetch does not count), measured with the injected clock. A refetch is a
/// new manager whose first fetch is awaited: the manager's own refresh would answer the old keys
/// while it fetches in the background. Every fetch is bounded in size and time, and goes only to
/// hosts the configuration allows.
/// </summary>
public sealed partial class OpenIdMetadataCache : IDisposable
{
    public static readonly TimeSpan UnknownKeyRefetchInterval = TimeSpan.FromMinutes(1);
    /// <summary>After a failed fetch, requests answer 503 this long without fetching again.</summary>
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(5);
    private const int MaxAuthorities = 1_024;

    private readonly ConcurrentDictionary<string, Authority> _authorities = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private readonly SsoOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OpenIdMetadataCache> _logger;

    public OpenIdMetadataCache(IOptions<SsoOptions> options, TimeProvider time, ILogger<OpenIdMetadataCache> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = SsoBackChannel.Create(_options);
    }

    public async Task<OpenIdConnectConfiguration> GetAsync(string authority, CancellationToken cancellationToken)
    {
        var entry = Entry(authority);
        var now = _time.GetUtcNow();
        if (entry.FailedUntil is { } until && until > now) throw Unavailable(until - now);
        try
        {
            return Checked(await entry.Manager.GetConfigurationAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A new manager next time: the failed one would wait on the wall clock before fetching again.
            entry.Manager = NewManager(authority);
            entry.FailedUntil = now + FailureBackoff;
            LogFetchFailed(_logger, ex is MetadataUnavailableException ? null : ex, LogText.Escape(authority));
            throw Unavailable(FailureBackoff, ex);
        }
    }

    /// <summary>
    /// The keys again, for a token whose <c>kid</c> is not in <paramref name="seen"/>: a fresh
    /// copy when another request already refetched, a refetch when none happened in the last
    /// minute, else null.
    /// </summary>
    public async Task<OpenIdConnectConfiguration?> RefetchForUnknownKeyAsync(string authority, OpenIdConnectConfiguration seen, CancellationToken cancellationToken)
    {
        var entry = Entry(authority);
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            if (await CurrentAsync(entry, cancellationToken) is { } current && !ReferenceEquals(current, seen)) return current;
            var now = _time.GetUtcNow();
            if (entry.LastUnknownKeyRefetch is { } last && now - last < UnknownKeyRefetchInterval)
            {
                // Within the minute after a refetch that failed, the keys still cannot be fetched: 503, not a refusal.
                if (entry.LastRefetchFailed) throw Unavailable(last + UnknownKeyRefetchInterval - now);
                return null;
            }
            entry.LastUnknownKeyRefetch = now;
            entry.LastRefetchFailed = true;

            var manager = NewManager(authority);
            OpenIdConnectConfiguration fresh;
            try
            {
                fresh = Checked(await manager.GetConfigurationAsync(cancellationToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogFetchFailed(_logger, ex is MetadataUnavailableException ? null : ex, LogText.Escape(authority));
                throw Unavailable(FailureBackoff, ex);
            }
            entry.Manager = manager;
            entry.LastRefetchFailed = false;
            entry.FailedUntil = null;
            return fresh;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>What the authority's manager holds now (another request may have replaced it), or null.</summary>
    private static async Task<OpenIdConnectConfiguration?> CurrentAsync(Authority entry, CancellationToken cancellationToken)
    {
        try
        {
            return await entry.Manager.GetConfigurationAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private Authority Entry(string authority)
    {
        if (_authorities.TryGetValue(authority, out var entry)) return entry;
        // Bounded: one entry per configured authority in practice; past the cap an arbitrary one goes.
        if (_authorities.Count >= MaxAuthorities && _authorities.Keys.FirstOrDefault() is { } victim) _authorities.TryRemove(victim, out _);
        return _authorities.GetOrAdd(authority, a => new Authority(NewManager(a)));
    }

    private ConfigurationManager<OpenIdConnectConfiguration> NewManager(string authority) =>
        new($"{authority.TrimEnd('/')}/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new BoundedDocumentRetriever(_http, _options));

    private static OpenIdConnectConfiguration Checked(OpenIdConnectConfiguration configuration) =>
        string.IsNullOrEmpty(configuration.Issuer) || configuration.SigningKeys.Count == 0
            ? throw new MetadataUnavailableException((int)FailureBackoff.TotalSeconds)
            : configuration;

    private static MetadataUnavailableException Unavailable(TimeSpan retryAfter, Exception? inner = null) =>
        new(Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)), inner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenID metadata or keys of authority {Authority} could not be fetched")]
    private static partial void LogFetchFailed(ILogger logger, Exception? exception, string authority);

    private sealed class Authority(ConfigurationManager<OpenIdConnectConfiguration> manager)
    {
        public volatile ConfigurationManager<OpenIdConnectConfiguration> Manager = manager;
        private long _failedUntilTicks;

        /// <summary>Guarded by <see cref="Gate"/>.</summary>
        public DateTimeOffset? LastUnknownKeyRefetch;
        public bool LastRefetchFailed;
        public readonly SemaphoreSlim Gate = new(1, 1);

        /// <summary>Read and written by concurrent requests: kept as one atomic value.</summary>
        public DateTimeOffset? FailedUntil
        {
            get => Interlocked.Read(ref _failedUntilTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
            set => Interlocked.Exchange(ref _failedUntilTicks, value?.UtcTicks ?? 0);
        }
    }

    /// <summary>Fetches only from allowed hosts (the metadata names the key set's address), within the size and time bounds.</summary>
    private sealed class BoundedDocumentRetriever(HttpClient http, SsoOptions options) : IDocumentRetriever
    {
        public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || !options.Allows(url))
                throw new MetadataUnavailableException((int)FailureBackoff.TotalSeconds);
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead, cancel);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode} from the authority", null, response.StatusCode);
            return await response.Content.ReadAsStringAsync(cancel);
        }
    }
}
