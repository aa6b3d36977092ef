using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json;
using ItemPathOrleans.Api.Observability;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.AspNetCore.Http.Metadata;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// A JSON request body as one record: what the handler receives, what the API reference
/// documents (the record is the endpoint's accepted body), and where its rules live
/// (<see cref="Validate"/>). Bound on top of <see cref="JsonBody"/> (16 KiB, depth 16, valid
/// Unicode, an object), then deserialized with System.Text.Json: members by their camelCase
/// names, case-sensitive; unknown members ignored; <c>null</c> is the same as absent. A member of
/// the wrong type is refused as <c>Field 'x' must be a string</c> (boolean, integer). Every
/// refusal is thrown as <see cref="RequestRejectedException"/> before the handler runs.
/// </summary>
public abstract record JsonRequestBody<TSelf> : IBindableFromHttpContext<TSelf>, IEndpointParameterMetadataProvider
    where TSelf : JsonRequestBody<TSelf>
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
    };

    private static readonly bool Optional = typeof(TSelf).IsDefined(typeof(OptionalBodyAttribute), inherit: false);

    /// <summary>The members the body named, null ones included (a PATCH tells "remove" from "keep" by it).</summary>
    [JsonIgnore]
    public IReadOnlySet<string> Present { get; private set; } = new HashSet<string>();

    /// <summary>The contract's message for the first rule the request breaks; null when it breaks none.</summary>
    public abstract string? Validate();

    public static async ValueTask<TSelf?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(context.Request, Optional);
        if (problem is not null) throw Rejected(context, problem);
        TSelf request;
        if (body is not { } element)
        {
            request = JsonSerializer.Deserialize<TSelf>("{}", Options)!;
        }
        else
        {
            try
            {
                request = element.Deserialize<TSelf>(Options)!;
            }
            catch (JsonException ex)
            {
                throw Rejected(context, Problems.BadRequest(TypeProblem(ex.Path)));
            }
            request.Present = element.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        }
        if (request.Validate() is { } invalid) throw Rejected(context, Problems.BadRequest(invalid));
        return request;
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(TSelf), Optional));

    /// <summary>"Missing field: x" when a required member is absent (or null).</summary>
    protected static string? Required(object? value, string name) => value is null ? $"Missing field: {name}" : null;

    /// <summary>The member a deserialization error is about (<c>$.name</c>), and the type it must have.</summary>
    private static string TypeProblem(string? path)
    {
        var name = path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..].Split('.', '[')[0] : null;
        var property = name is null ? null : typeof(TSelf).GetProperties().FirstOrDefault(p => JsonName(p) == name);
        if (property is null) return "Malformed JSON body";
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var kind = type == typeof(bool) ? "a boolean" : type == typeof(int) || type == typeof(long) ? "an integer" : type == typeof(string) ? "a string"
            : type.IsAssignableTo(typeof(IEnumerable<string>)) ? "an array of strings" : "valid";
        return $"Field '{name}' must be {kind}";
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    /// <summary>A refused body is an invalid request for the metrics too (a login's is a failed login).</summary>
    private static RequestRejectedException Rejected(HttpContext context, IResult answer)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        context.RequestServices.GetService<AuthMetrics>()?.RequestRefused(operation);
        return new RequestRejectedException(answer);
    }
}
