using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.Faults;

public enum CallKind
{
    Login,
    Refresh,
    /// <summary>The refresh token just spent, presented again: a client that lost the answer retries.</summary>
    Replay,
    /// <summary>GET /api/users/me with the access token just answered.</summary>
    Validate,
}

/// <summary>One HTTP call of a load client: when it ran (from the load's start) and how it ended.</summary>
/// <param name="Token">The <c>jti</c> of the refresh token presented (refresh, replay) or of the access token validated.</param>
public sealed record CallRecord(int Client, CallKind Kind, TimeSpan Start, TimeSpan End, int Status, string? Error, string? Token = null)
{
    public bool Ok => Status is >= 200 and < 300;

    public override string ToString() =>
        $"client {Client} {Kind}{(Token is null ? "" : " " + Token)} {Start.TotalSeconds:0.000}-{End.TotalSeconds:0.000}s: {(Status == 0 ? "no answer" : Status.ToString())}{(Error is null ? "" : " " + Error)}";
}

/// <summary>
/// One session as its client saw it: the refresh tokens in the order they were answered (the
/// login's first), every access token answered, and each presented refresh token's answer.
/// </summary>
public sealed class TokenChain(int client, string username)
{
    public int Client { get; } = client;
    public string Username { get; } = username;
    /// <summary>When its login was answered (from the load's start).</summary>
    public TimeSpan Opened { get; init; }
    public List<string> RefreshTokens { get; } = [];
    public List<string> AccessTokens { get; } = [];
    /// <summary>Presented refresh token to the (refresh, access) answer it got.</summary>
    public Dictionary<string, (string Refresh, string Access)> Answers { get; } = new(StringComparer.Ordinal);

    public string Current => RefreshTokens[^1];
    public int UserId => int.Parse(JwtClaims.Claim(Current, "uid"), System.Globalization.CultureInfo.InvariantCulture);
    public string SessionId => JwtClaims.Claim(Current, "sid");
}

/// <summary>
/// Clients that log in and refresh with rotation on, through the HTTP API, without pause, until
/// stopped. A client logs in, refreshes its session <c>refreshesPerChain</c> times (sometimes
/// presenting the token it just spent again, as a client that lost an answer would, and checking
/// the answer is the same bytes), validates each access token it gets, then logs in again.
/// A call that fails (503, no answer) is retried with the same request until it succeeds, as a
/// careful client does; every failed attempt is recorded. Anything a correct service must never
/// answer is recorded as a violation and stops that client.
/// </summary>
public sealed class RotationLoad
{
    /// <summary>How long one operation may keep failing before the client gives up (a violation).</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    private readonly ApiFactory _api;
    private readonly IReadOnlyList<(string Username, string Password)> _users;
    private readonly int _refreshesPerChain;
    private readonly CancellationTokenSource _stop = new();
    private readonly int[] _successes;
    private readonly List<TokenChain> _chains = [];
    private Task[] _clients = [];

    public RotationLoad(ApiFactory api, IReadOnlyList<(string Username, string Password)> users, int refreshesPerChain = 12)
    {
        _api = api;
        _users = users;
        _refreshesPerChain = refreshesPerChain;
        _successes = new int[users.Count];
    }

    public Stopwatch Clock { get; } = new();
    public ConcurrentQueue<CallRecord> Calls { get; } = new();
    public ConcurrentQueue<string> Violations { get; } = new();

    public IReadOnlyList<TokenChain> Chains
    {
        get { lock (_chains) return [.. _chains]; }
    }

    public int Clients => _users.Count;

    /// <summary>Successful calls of one client so far.</summary>
    public int Successes(int client) => Volatile.Read(ref _successes[client]);

    public int[] SuccessesSnapshot() => [.. Enumerable.Range(0, Clients).Select(Successes)];

    public void Start()
    {
        // The HTTP clients first, one after the other: WebApplicationFactory starts its server on
        // the first CreateClient, and concurrent first calls would each start one.
        var http = Enumerable.Range(0, Clients).Select(_ => _api.CreateClient()).ToList();
        Clock.Start();
        _clients = [.. Enumerable.Range(0, Clients).Select(i => Task.Run(() => RunClientAsync(i, http[i])))];
    }

    /// <summary>
    /// Stops starting new operations; an operation under way is finished (its answer matters to
    /// the ledger), within <see cref="GiveUpAfter"/> and a last HTTP timeout.
    /// </summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_clients).WaitAsync(GiveUpAfter + TimeSpan.FromSeconds(40));
        }
        catch (TimeoutException)
        {
            Violations.Enqueue($"the clients did not stop within {(GiveUpAfter + TimeSpan.FromSeconds(40)).TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// Polls until <paramref name="condition"/> holds; false if it did not within
    /// <paramref name="timeout"/>, or once a client met a violation (the test fails on it anyway).
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < timeout)
        {
            if (condition()) return true;
            if (!Violations.IsEmpty || _clients.All(c => c.IsCompleted)) return condition();
            await Task.Delay(20);
        }
        return condition();
    }

    private async Task RunClientAsync(int client, HttpClient http)
    {
        var (username, password) = _users[client];
        using var _ = http;
        http.Timeout = TimeSpan.FromSeconds(30);
        var random = new Random(client);
        TokenChain? chain = null;
        var refreshes = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (chain is null || refreshes >= _refreshesPerChain)
                {
                    var login = await UntilAnsweredAsync(http, client, CallKind.Login, null, () => Post("/api/users/login", null, JsonContent.Create(new { username, password })));
                    if (login is null) return;
                    chain = new TokenChain(client, username) { Opened = Clock.Elapsed };
                    chain.RefreshTokens.Add(login.Value.GetProperty("refreshToken").GetString()!);
                    chain.AccessTokens.Add(login.Value.GetProperty("accessToken").GetString()!);
                    lock (_chains) _chains.Add(chain);
                    refreshes = 0;
                    continue;
                }

                var presented = chain.Current;
                var answer = await RefreshAsync(http, client, CallKind.Refresh, presented);
                if (answer is null) return;
                if (!chain.Answers.TryAdd(presented, answer.Value))
                {
                    Violation(client, $"token {Jti(presented)} was refreshed twice by its client");
                    return;
                }
                if (answer.Value.Refresh == presented || chain.RefreshTokens.Contains(answer.Value.Refresh))
                {
                    Violation(client, $"refreshing {Jti(presented)} answered a token of the chain already seen");
                    return;
                }
                chain.RefreshTokens.Add(answer.Value.Refresh);
                chain.AccessTokens.Add(answer.Value.Access);
                refreshes++;

                if (random.Next(4) == 0)
                {
                    // The answer "was lost": the client presents the same token again and must get the same bytes.
                    var again = await RefreshAsync(http, client, CallKind.Replay, presented);
                    if (again is null) return;
                    if (again.Value.Refresh != answer.Value.Refresh || again.Value.Access != answer.Value.Access)
                    {
                        Violation(client, $"presenting {Jti(presented)} again answered another successor ({Jti(again.Value.Refresh)} instead of {Jti(answer.Value.Refresh)})");
                        return;
                    }
                }

                var me = await UntilAnsweredAsync(http, client, CallKind.Validate, Jti(answer.Value.Access), () => Get("/api/users/me", answer.Value.Access));
                if (me is null) return;
                if (me.Value.GetProperty("username").GetString() != username)
                {
                    Violation(client, $"/me with {username}'s access token answered {me.Value.GetProperty("username")}");
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            Violation(client, $"the client crashed: {ex}");
        }
    }

    private async Task<(string Refresh, string Access)?> RefreshAsync(HttpClient http, int client, CallKind kind, string presented)
    {
        var body = await UntilAnsweredAsync(http, client, kind, Jti(presented), () => Post("/api/users/refresh", presented, null));
        if (body is null) return null;
        if (!body.Value.TryGetProperty("refreshToken", out var next))
        {
            Violation(client, $"a refresh with rotation on answered no refresh token: {body}");
            return null;
        }
        return (next.GetString()!, body.Value.GetProperty("accessToken").GetString()!);
    }

    /// <summary>
    /// Sends until a 2xx. A 503 or no answer is a failed call, retried with the same request after
    /// a short back-off; any other status is a violation (the client stops).
    /// </summary>
    private async Task<JsonElement?> UntilAnsweredAsync(HttpClient http, int client, CallKind kind, string? token, Func<HttpRequestMessage> request)
    {
        var began = Stopwatch.StartNew();
        var backoff = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var start = Clock.Elapsed;
            int status;
            string? error = null;
            JsonElement body = default;
            try
            {
                using var message = request();
                using var response = await http.SendAsync(message);
                status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                if (text.Length > 0)
                {
                    try { body = JsonDocument.Parse(text).RootElement.Clone(); }
                    catch (JsonException) { error = $"not JSON: {text[..Math.Min(text.Length, 200)]}"; }
                }
                if (!response.IsSuccessStatusCode && error is null)
                    error = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("detail", out var detail) ? detail.ToString() : text[..Math.Min(text.Length, 200)];
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                status = 0;
                error = $"{ex.GetType().Name}: {ex.Message}";
            }
            var record = new CallRecord(client, kind, start, Clock.Elapsed, status, error, token);
            Calls.Enqueue(record);

            if (record.Ok && error is null)
            {
                Interlocked.Increment(ref _successes[client]);
                return body;
            }
            if (status is not (0 or (int)HttpStatusCode.ServiceUnavailable))
            {
                Violation(client, $"{record}: a status the client cannot retry");
                return null;
            }
            if (began.Elapsed > GiveUpAfter)
            {
                Violation(client, $"{kind} still failing after {GiveUpAfter.TotalSeconds:0} s: {record}");
                return null;
            }
            await Task.Delay(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
        }
    }

    private void Violation(int client, string what) => Violations.Enqueue($"client {client} at {Clock.Elapsed.TotalSeconds:0.000}s: {what}");

    private static HttpRequestMessage Post(string path, string? bearer, HttpContent? content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    private static HttpRequestMessage Get(string path, string bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    public static string Jti(string token) => JwtClaims.Claim(token, "jti");
}
