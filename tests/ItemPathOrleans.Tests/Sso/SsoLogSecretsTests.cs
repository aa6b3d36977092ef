using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Silo;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>
/// Every log line of the silos and the API, at every level, through single sign-ons that pass and
/// fail: never an ID token or a token answered, and each refusal is a security event.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class SsoLogSecretsTests : IAsyncLifetime
{
    private const string SecurityEventsCategory = "ItemPathOrleans.Grains.Security.SecurityEvents";

    private LoggedService _service = null!;
    private EntraDouble _entra = null!;

    public async Task InitializeAsync()
    {
        _service = await LoggedService.StartAsync(apiSettings: SsoFixture.LoopbackSettings());
        _entra = await EntraDouble.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _entra.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task No_id_token_or_issued_token_is_ever_logged_and_refusals_are_security_events()
    {
        var tid = Guid.NewGuid().ToString();
        using var http = _service.Api.CreateClient();
        var admin = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        http.DefaultRequestHeaders.Authorization = new("Bearer", admin.GetProperty("accessToken").GetString());
        await HttpAssert.Ok(await http.PatchAsJsonAsync("/api/tenants/default", new
        {
            sso = new { authority = _entra.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { tid }, autoProvision = true },
        }));
        http.DefaultRequestHeaders.Authorization = null;

        var secrets = new List<string>();
        async Task<HttpResponseMessage> SignInAsync(Dictionary<string, object> claims)
        {
            var idToken = _entra.Sign(claims);
            secrets.Add(idToken);
            secrets.Add(idToken.Split('.')[1]);
            secrets.Add(idToken.Split('.')[2]);
            return await http.PostAsJsonAsync("/api/users/sso/login", new { idToken });
        }

        var oid = Guid.NewGuid().ToString();
        var login = await HttpAssert.Ok(await SignInAsync(_entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow)));
        foreach (var property in new[] { "accessToken", "refreshToken" })
        {
            var token = login.GetProperty(property).GetString()!;
            secrets.Add(token);
            secrets.Add(token.Split('.')[2]);
        }

        var wrongAudience = _entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow);
        wrongAudience["aud"] = "someone-else";
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(wrongAudience)).StatusCode);
        var expired = _entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow.AddHours(-3));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(expired)).StatusCode);
        _entra.RotateKey();
        _entra.Down = true;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SignInAsync(_entra.Claims(tid, oid, "logged@contoso.example", DateTimeOffset.UtcNow))).StatusCode);

        var lines = _service.Lines;
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            foreach (var secret in secrets) Assert.False(line.Text.Contains(secret, StringComparison.Ordinal), $"a token appears in: {line}");
        }

        var events = lines.Where(l => l.Category == SecurityEventsCategory && l.EventId.Id == 4000).Select(l => l.Text).ToList();
        Assert.Contains(events, e => e.Contains("sso_login_succeeded", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("sso_login_refused", StringComparison.Ordinal) && e.Contains("ID token audience is not this tenant's client id", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("sso_login_refused", StringComparison.Ordinal) && e.Contains("ID token has expired", StringComparison.Ordinal));
    }
}
