using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ItemPathOrleans.Tests.Infrastructure;

/// <summary>Checks of the contract's error shape.</summary>
public static class HttpAssert
{
    /// <summary>Asserts a problem+json answer with the status and the msg, and returns its body.</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status, string? msg = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.Equal(body.GetProperty("detail").GetString(), body.GetProperty("msg").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        if (msg is not null) Assert.Equal(msg, body.GetProperty("msg").GetString());
        return body;
    }

    /// <summary>A 401 for a bad token: RFC 6750 header with invalid_token and the message.</summary>
    public static async Task InvalidToken(HttpResponseMessage response, string msg)
    {
        await Problem(response, HttpStatusCode.Unauthorized, msg);
        var header = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", header.Scheme);
        Assert.Contains("error=\"invalid_token\"", header.Parameter);
        Assert.Contains($"error_description=\"{msg}\"", header.Parameter);
    }

    public static async Task<JsonElement> Ok(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public static JsonContent Json(object value) => JsonContent.Create(value);
}
