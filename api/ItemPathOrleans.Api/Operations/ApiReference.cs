using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ItemPathOrleans.Api.Operations;

/// <summary>
/// The OpenAPI document's parts that come from the app as a whole rather than from one
/// endpoint's metadata: the title, the Bearer scheme on every endpoint that requires a token,
/// the <c>X-Tenant</c> header on every <c>/api</c> endpoint, the problem shape's <c>msg</c>
/// member, and <c>/metrics</c> (served by the exporter, which has no handler to describe).
/// </summary>
internal static class ApiReference
{
    public const string Title = "ItemPathOrleans API";
    public const string BearerScheme = "Bearer";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = Title,
                Version = "v1",
                Description = "The ItemPath authentication API served by an Orleans cluster. Every error is application/problem+json "
                    + "with title, status, detail and msg (= detail); login failures also carry \"login\": false. A request's tenant "
                    + "comes from the host, the X-Tenant header, or is \"default\".",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access, refresh or application token, as each endpoint says.",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
                });
            }
            if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true)
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "X-Tenant",
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "The tenant, when the host does not name one (default: \"default\").",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[a-z0-9][a-z0-9-]{0,62}$" },
                });
            }
            return Task.CompletedTask;
        });

        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["msg"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The same text as detail." };
                schema.Properties["login"] = new OpenApiSchema { Type = JsonSchemaType.Boolean, Description = "false on login failures." };
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>Adds <c>GET /metrics</c> to the document (the exporter's endpoint has no handler to describe).</summary>
    public static void DescribeMetrics(OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        var operation = new OpenApiOperation
        {
            OperationId = "Metrics",
            Summary = "Metrics in the Prometheus text format (loopback and Observability:Metrics:AllowedAddresses only)",
            Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
            Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "Prometheus text exposition",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                },
                ["403"] = new OpenApiResponse { Description = "Not served to this client address" },
            },
        };
        document.Paths ??= new OpenApiPaths();
        document.Paths["/metrics"] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
        return Task.CompletedTask;
    });
}
