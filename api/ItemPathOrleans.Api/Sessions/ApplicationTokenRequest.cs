using System.ComponentModel.DataAnnotations;
using ItemPathOrleans.Api.RequestReading;

namespace ItemPathOrleans.Api.Sessions;

/// <summary><c>POST /api/users/application-token</c>: the body is optional (an empty body is accepted).</summary>
[OptionalBody]
public sealed record ApplicationTokenRequest([property: StringLength(FieldLimits.MaxTokenNameLength)] string? Name)
    : JsonRequestBody<ApplicationTokenRequest>
{
    public override string? Validate() =>
        Name is { Length: > FieldLimits.MaxTokenNameLength } ? $"name must be at most {FieldLimits.MaxTokenNameLength} characters" : null;
}
