using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace ItemPathOrleans.Testing;

/// <summary>Reads a compact JWT's payload the way a client would, without checking it.</summary>
public static class JwtClaims
{
    public static string Payload(string token) =>
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1]));

    /// <summary>The claim's value as text (numbers as written); throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public static string Claim(string token, string name)
    {
        using var doc = JsonDocument.Parse(Payload(token));
        return doc.RootElement.GetProperty(name).ToString();
    }
}
