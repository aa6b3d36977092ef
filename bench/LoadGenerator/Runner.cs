using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ItemPathOrleans.LoadGenerator;

/// <summary>One virtual user: its credentials, its own tokens (so refresh chains under rotation stay its own), its counters.</summary>
public sealed class VirtualUser(int index, string username, byte[] loginBody)
{
    public int Index { get; } = index;
    public string Username { get; } = username;
    public byte[] LoginBody { get; } = loginBody;
    public int UserId { get; set; }

    // "Bearer <token>", ready for the Authorization header.
    public string? AccessBearer { get; set; }
    public string? RefreshBearer { get; set; }
    public string? AppBearer { get; set; }

    // Peer scenarios: the password grant's form, and the current refresh token's form.
    public byte[]? PeerLoginForm { get; set; }
    public byte[]? PeerRefreshForm { get; set; }

    // client_credentials scenarios: the client's Basic header and the grant's form.
    public string? ClientAuthorization { get; set; }
    public byte[]? TokenForm { get; set; }

    // code-flow: the user's public client, the fixed part of its authorization request, and
    // "&username=..&password=.." for the sign-in form.
    public string? ClientId { get; set; }
    public string? AuthorizeQueryPrefix { get; set; }
    public string? CredentialsForm { get; set; }

    // --tokens: this user's sessions (its lines of the file), used in turn; Slot is the one in flight.
    public string[]? SlotTenants { get; set; }
    public string[]? SlotAccessBearers { get; set; }
    public string[]? SlotRefreshBearers { get; set; }
    public int Slot;

    public LatencyHistogram Histogram { get; } = new();
    public Buffer Buffer { get; } = new(4096);
    public long Ok;
    public long Errors;
    public long WarmupOk;
    public long WarmupErrors;
    public long Rotations;
}

public sealed record RunResult(
    LatencyHistogram Histogram,
    long Ok,
    long Errors,
    long WarmupOk,
    long WarmupErrors,
    long Rotations,
    ErrorBook MeasuredErrorBook,
    ErrorBook WarmupErrorBook,
    IReadOnlyDictionary<string, double>? CpuMs)
{
    public long Requests => Ok + Errors;
}

/// <summary>
/// The closed loop: every virtual user sends its next request as soon as its previous answer is read,
/// from the start of the warm-up to the end of the measured window. A request counts in the window
/// it completes in: warm-up completions are counted apart, completions after the end are dropped.
/// No new request starts after the end; those in flight finish within the request timeout.
/// </summary>
public sealed class Runner(Options options, ApiClient api, CodeFlow? codeFlow = null)
{
    private readonly ErrorBook _measuredErrors = new();
    private readonly ErrorBook _warmupErrors = new();

    public async Task<RunResult> RunAsync(VirtualUser[] users, CancellationToken ct)
    {
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(options.WarmupSeconds * frequency);
        var measureTo = measureFrom + (long)(options.DurationSeconds * frequency);

        Console.Error.WriteLine($"load: {options.ScenarioName}, {users.Length} users, {options.WarmupSeconds:0.#} s warm-up, {options.DurationSeconds:0.#} s measured");
        var cpu = options.CpuTargets.Count > 0 ? ProcessCpu.MeasureAsync(options.CpuTargets, measureFrom, measureTo) : null;
        var loops = new Task[users.Length];
        for (var i = 0; i < users.Length; i++)
        {
            var user = users[i];
            loops[i] = Task.Run(() => LoopAsync(user, measureFrom, measureTo, ct), CancellationToken.None);
        }
        await Task.WhenAll(loops).ConfigureAwait(false);

        var histogram = new LatencyHistogram();
        long ok = 0, errors = 0, warmupOk = 0, warmupErrors = 0, rotations = 0;
        foreach (var user in users)
        {
            histogram.Add(user.Histogram);
            ok += user.Ok;
            errors += user.Errors;
            warmupOk += user.WarmupOk;
            warmupErrors += user.WarmupErrors;
            rotations += user.Rotations;
        }
        var cpuMs = cpu is null ? null : await cpu.ConfigureAwait(false);
        return new RunResult(histogram, ok, errors, warmupOk, warmupErrors, rotations, _measuredErrors, _warmupErrors, cpuMs);
    }

    private async Task LoopAsync(VirtualUser user, long measureFrom, long measureTo, CancellationToken ct)
    {
        var ticksPerMicro = Stopwatch.Frequency / 1_000_000.0;
        while (!ct.IsCancellationRequested)
        {
            var t0 = Stopwatch.GetTimestamp();
            if (t0 >= measureTo) break;
            string? error;
            var transportError = false;
            try
            {
                error = await ExecuteAsync(user, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                error = ErrorBook.DescribeException(ex, api.TimeoutSeconds);
                transportError = true;
            }
            var t1 = Stopwatch.GetTimestamp();

            if (t1 < measureFrom)
            {
                if (error is null) user.WarmupOk++;
                else
                {
                    user.WarmupErrors++;
                    _warmupErrors.Record(error);
                }
            }
            else if (t1 < measureTo)
            {
                if (error is null)
                {
                    user.Ok++;
                    user.Histogram.Record((long)((t1 - t0) / ticksPerMicro));
                }
                else
                {
                    user.Errors++;
                    _measuredErrors.Record(error);
                }
            }

            // A refused connection fails in microseconds: do not spin the CPU the service needs.
            if (transportError)
            {
                try { await Task.Delay(10, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    /// <summary>One request of the scenario; null when it succeeded, else a description of the error.</summary>
    private async Task<string?> ExecuteAsync(VirtualUser user, CancellationToken ct)
    {
        // One operation of code-flow is the whole round trip: four requests, counted once.
        if (options.Scenario == Scenario.CodeFlow) return await codeFlow!.RoundTripAsync(user, ct).ConfigureAwait(false);
        if (user.SlotTenants is { } tenants)
        {
            // --tokens: the next of this user's sessions, in its own tenant.
            var slot = user.Slot = (user.Slot + 1) % tenants.Length;
            using var one = options.Scenario == Scenario.Refresh
                ? ApiClient.BareRequest(HttpMethod.Post, api.RefreshUri, user.SlotRefreshBearers![slot])
                : ApiClient.BareRequest(HttpMethod.Get, api.MeUri, user.SlotAccessBearers![slot]);
            one.Headers.TryAddWithoutValidation("X-Tenant", tenants[slot]);
            var (code, size) = await api.SendAsync(one, user.Buffer, ct).ConfigureAwait(false);
            return Complete(user, code, size);
        }
        using var request = options.Scenario switch
        {
            Scenario.Login => ApiClient.JsonRequest(HttpMethod.Post, api.LoginUri, user.LoginBody, null),
            Scenario.Refresh => ApiClient.BareRequest(HttpMethod.Post, api.RefreshUris[user.Index % api.RefreshUris.Length], user.RefreshBearer),
            Scenario.Validate => ApiClient.BareRequest(HttpMethod.Get, api.MeUris[user.Index % api.MeUris.Length], user.AccessBearer),
            Scenario.ValidateApp => ApiClient.BareRequest(HttpMethod.Get, api.MeUri, user.AppBearer),
            Scenario.NoToken => ApiClient.BareRequest(HttpMethod.Get, api.MeUri, null),
            Scenario.PeerLogin => ApiClient.FormRequest(api.PeerTokenUri, user.PeerLoginForm!),
            Scenario.PeerRefresh => ApiClient.FormRequest(api.PeerTokenUri, user.PeerRefreshForm!),
            Scenario.ClientCredentials => ApiClient.FormRequest(api.TokenUri, user.TokenForm!, user.ClientAuthorization!),
            Scenario.PeerClientCredentials => ApiClient.FormRequest(api.PeerTokenUri, user.TokenForm!, user.ClientAuthorization!),
            _ => throw new InvalidOperationException("unknown scenario"),
        };
        var (status, length) = await api.SendAsync(request, user.Buffer, ct).ConfigureAwait(false);
        return Complete(user, status, length);
    }

    private string? Complete(VirtualUser user, HttpStatusCode status, int length)
    {
        var body = user.Buffer.Bytes.AsSpan(0, length);
        if (options.IsClientCredentials)
        {
            // A token answer is 200 with an access_token; anything else is an error.
            if (status != HttpStatusCode.OK) return ErrorBook.DescribeStatus(status, body);
            return HasTopLevelString(body, "access_token"u8) ? null : "200 without an access_token";
        }
        if ((int)status is < 200 or >= 300) return ErrorBook.DescribeStatus(status, body);
        if (options.Scenario == Scenario.Refresh)
        {
            // Rotation on: the answer carries the next refresh token of the session, and the one
            // just presented is spent. Follow it, so this user's chain stays valid.
            var next = TopLevelString(body, "refreshToken"u8);
            if (!string.IsNullOrEmpty(next))
            {
                if (user.SlotRefreshBearers is { } slots) slots[user.Slot] = ApiClient.Bearer(next);
                else user.RefreshBearer = ApiClient.Bearer(next);
                user.Rotations++;
            }
        }
        else if (options.Scenario == Scenario.PeerRefresh)
        {
            // Rolling refresh tokens: the presented one is redeemed, the answer carries the next.
            var next = TopLevelString(body, "refresh_token"u8);
            if (!string.IsNullOrEmpty(next))
            {
                user.PeerRefreshForm = PeerRefreshForm(options, next);
                user.Rotations++;
            }
        }
        return null;
    }

    public static byte[] PeerRefreshForm(Options options, string refreshToken) =>
        ApiClient.Form(("grant_type", "refresh_token"), ("client_id", options.ClientId), ("refresh_token", refreshToken));

    /// <summary>The form of the client_credentials grant, with a scope.</summary>
    public static byte[] ClientCredentialsForm(Options options) =>
        ApiClient.Form(("grant_type", "client_credentials"), ("scope", options.Scope));

    /// <summary>Whether a JSON object has a non-empty top-level string property (without allocating it).</summary>
    internal static bool HasTopLevelString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(name);
                reader.Read();
                if (match) return reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    /// <summary>The string value of a top-level property of a JSON object, or null.</summary>
    internal static string? TopLevelString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(name);
                reader.Read();
                if (match && reader.TokenType == JsonTokenType.String) return reader.GetString();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
