using System.Net;
using System.Text;
using ItemPathOrleans.Tests.Infrastructure;

namespace ItemPathOrleans.Tests.RequestReading;

[Collection(ServiceCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Http)]
public sealed class RequestLimitTests(ServiceFixture service)
{
    [Fact]
    public async Task Body_over_16_KiB_is_413_naming_the_limit()
    {
        using var http = service.Client();
        var json = $$"""{"username": "x", "password": "{{new string('p', 17 * 1024)}}"}""";
        var response = await http.PostAsync("/api/users/login", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await HttpAssert.Problem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("16 KiB", body.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task Chunked_body_over_16_KiB_is_413_too()
    {
        using var http = service.Client();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', 20 * 1024) + "{}")));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/users/login") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await http.SendAsync(request);
        await HttpAssert.Problem(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Authorization_header_over_8_KiB_is_431()
    {
        using var http = service.ClientWith(new string('a', 9 * 1024));
        var response = await http.GetAsync("/api/users/me");
        var body = await HttpAssert.Problem(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Contains("8 KiB", body.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task Health_answers_live_and_ready()
    {
        using var http = service.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal("ready", (await HttpAssert.Ok(await http.GetAsync("/health/ready"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Unknown_routes_are_404()
    {
        using var http = service.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/nothing-here")).StatusCode);
    }
}
