using System.Buffers.Text;
using System.Text.Json;

namespace ItemPathOrleans.Tests.Clients;

/// <summary>A token's header and claims as a client would read them, members in their order.</summary>
public static class JwtParts
{
    public static JsonElement Header(string token) => Part(token, 0);

    public static JsonElement Payload(string token) => Part(token, 1);

    private static JsonElement Part(string token, int index) => JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[index])).RootElement.Clone();
}
