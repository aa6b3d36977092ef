using System.Net;
using System.Text.Json;

namespace ItemPathOrleans.Tests.OAuth;

/// <summary>Checks of the RFC 6749 §5 answers, field by field.</summary>
public static class OAuthAssert
{
    /// <summary>An RFC 6749 §5.2 error: status, JSON body with <c>error</c> (and the description when given), never cached.</summary>
    public static async Task<JsonElement> Error(HttpResponseMessage response, HttpStatusCode status, string error, string? description = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        NotCached(response);
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(error, body.GetProperty("error").GetString());
        if (description is not null) Assert.Equal(description, body.GetProperty("error_description").GetString());
        return body;
    }

    public static void NotCached(HttpResponseMessage response)
    {
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store expected");
    }

    public static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
