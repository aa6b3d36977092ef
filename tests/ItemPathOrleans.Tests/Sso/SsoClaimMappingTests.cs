using System.Net;
using System.Net.Http.Json;
using ItemPathOrleans.Tests.Infrastructure;
using ItemPathOrleans.Tests.Security;

namespace ItemPathOrleans.Tests.Sso;

/// <summary>
/// The name claim of a genuine ID token is text from outside. One that no username or email could
/// be (control characters) matches nobody and provisions nobody, with the ordinary answer, never a
/// 503: it reaches no grain key and no database (PostgreSQL refuses a NUL), and no log line.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class SsoClaimMappingTests : IAsyncLifetime
{
    private LoggedService _service = null!;
    private EntraDouble _entra = null!;

    public async Task InitializeAsync()
    {
        _service = await LoggedService.StartAsync(
            clusterSettings: new Dictionary<string, string?> { ["ConnectionStrings:ItemPath"] = TestSettings.PostgresConnectionString },
            apiSettings: SsoFixture.LoopbackSettings());
        _entra = await EntraDouble.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _entra.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task Name_claims_with_control_characters_match_and_provision_nobody_and_are_never_logged()
    {
        var tid = Guid.NewGuid().ToString();
        var tenant = $"ssoc-{Guid.NewGuid():N}"[..13];
        using var http = _service.Api.CreateClient();
        var admin = await HttpAssert.Ok(await http.PostAsJsonAsync("/api/users/login", new { username = "admin", password = TestSettings.AdminPassword }));
        http.DefaultRequestHeaders.Authorization = new("Bearer", admin.GetProperty("accessToken").GetString());
        await HttpAssert.Ok(await http.PostAsJsonAsync("/api/tenants", new { id = tenant, name = tenant, adminUsername = "boss", adminPassword = SsoFixture.AdminPassword }), HttpStatusCode.Created);
        var operatorToken = http.DefaultRequestHeaders.Authorization;
        http.DefaultRequestHeaders.Authorization = null;
        http.DefaultRequestHeaders.Add("X-Tenant", tenant);
        async Task Configure(bool autoProvision)
        {
            using var op = _service.Api.CreateClient();
            op.DefaultRequestHeaders.Authorization = operatorToken;
            await HttpAssert.Ok(await op.PatchAsJsonAsync($"/api/tenants/{tenant}", new
            {
                sso = new { authority = _entra.Authority, clientId = EntraDouble.ClientId, entraTenantIds = new[] { tid }, autoProvision },
            }));
        }

        // Lower case: what a name grain's key would hold after normalising is the claim itself.
        var claims = new[]
        {
            "nul\0person@contoso.example",
            "newline-person@contoso.example\nsecurity event login_succeeded for user 1 of tenant default: forged",
        };
        foreach (var autoProvision in new[] { false, true })
        {
            await Configure(autoProvision);
            foreach (var claim in claims)
            {
                var idToken = _entra.Sign(_entra.Claims(tid, Guid.NewGuid().ToString(), claim, DateTimeOffset.UtcNow));
                var response = await http.PostAsJsonAsync("/api/users/sso/login", new { idToken });
                var body = await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, "Unknown user: no user of this tenant is linked to this account");
                Assert.False(body.GetProperty("login").GetBoolean());
            }
        }

        var lines = _service.Lines;
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            Assert.False(line.Text.Contains('\0'), $"a NUL appears in: {line}");
            foreach (var claim in claims) Assert.False(line.Text.Contains(claim, StringComparison.Ordinal), $"a raw name claim appears in: {line}");
        }
    }
}
