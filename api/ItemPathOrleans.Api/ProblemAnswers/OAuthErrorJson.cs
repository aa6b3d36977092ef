using System.Text.Json.Serialization;

namespace ItemPathOrleans.Api.ProblemAnswers;

/// <summary>An error answer (RFC 6749 §5.2).</summary>
public sealed record OAuthErrorJson(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ErrorDescription);
