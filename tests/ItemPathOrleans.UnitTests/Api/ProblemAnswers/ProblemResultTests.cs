using System.Text.Json;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.AspNetCore.Http;

namespace ItemPathOrleans.UnitTests.Api.ProblemAnswers;

/// <summary>The one writer of refusals: what every problem answer carries, whoever raised it.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ProblemResultTests
{
    [Fact]
    public async Task A_503_raised_without_a_wait_still_tells_the_client_when_to_come_back()
    {
        // As the request timeout's status page raises it: a bare status, no Retry-After of its own.
        var context = new DefaultHttpContext { Request = { Path = "/api/users/me" } };
        var body = new MemoryStream();
        context.Response.Body = body;

        await ProblemResult.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable");

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("2", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("application/problem+json", context.Response.ContentType);
        var problem = JsonDocument.Parse(body.ToArray()).RootElement;
        Assert.Equal("Service Unavailable", problem.GetProperty("msg").GetString());
    }
}
