using ItemPathOrleans.Api.Authentication;
using ItemPathOrleans.Api.Formatting;
using ItemPathOrleans.Api.ProblemAnswers;
using ItemPathOrleans.Api.RequestReading;
using ItemPathOrleans.Api.Tenancy;
using ItemPathOrleans.Contracts.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ItemPathOrleans.Api.Clients;

/// <summary>
/// The client management API, for the admins of the request's tenant: registered OAuth clients
/// and their secrets. Clients never cross tenants: each lives under its tenant's key. The console's
/// built-in client (<see cref="ConsoleClient"/>) is read here like any client but never listed,
/// changed or deleted (409).
/// </summary>
public static class ClientEndpoints
{
    private const string NotFound = "Client not found";

    /// <summary>The management API's client, and the OAuth endpoints' (client authentication, client tokens).</summary>
    public static IServiceCollection AddClients(this IServiceCollection services) =>
        services.AddSingleton<ClientAdminClient>().AddSingleton<OAuth.RegisteredClients>();

    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        var clients = app.MapAdminGroup("/api/clients", "Clients");
        clients.MapGet("", List)
            .WithName("ListClients").WithSummary("The tenant's registered clients (?limit, ?page)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        clients.MapPost("", Create)
            .WithName("CreateClient").WithSummary("Register a client; the answer shows its secret (secret methods) this once")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);
        clients.MapGet("/{clientId}", Get)
            .WithName("GetClient").WithSummary("A client (its secrets by id and date)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        DescribeChange(clients.MapPost("/{clientId}", Update)
            .WithName("UpdateClient").WithSummary("Change a client: fields present change, others stay"));
        DescribeChange(clients.MapPatch("/{clientId}", Update)
            .WithName("PatchClient").WithSummary("Change a client (the same as POST)"));
        clients.MapDelete("/{clientId}", Delete)
            .WithName("DeleteClient").WithSummary("Delete a client: its tokens stop within revocationLatencySeconds")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        clients.MapPost("/{clientId}/secrets", AddSecret)
            .WithName("AddClientSecret").WithSummary("Add a secret (for rollover); shown in this answer only")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        clients.MapDelete("/{clientId}/secrets/{secretId}", RemoveSecret)
            .WithName("DeleteClientSecret").WithSummary("Delete one of a client's secrets")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        return app;
    }

    private static RouteHandlerBuilder DescribeChange(RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge);

    private static async Task<Results<Ok<ClientListJson>, ProblemResult>> List(HttpContext context, ClientAdminClient clients)
    {
        var (paging, problem) = Paging.From(context.Request.Query);
        if (problem is not null) return problem;
        var page = await clients.ListAsync(context.Tenant().Id, paging.Limit, paging.Page);
        return TypedResults.Ok(new ClientListJson(page.Clients.Select(c => ClientJson.From(c)).ToList(), page.Total));
    }

    private static async Task<Results<Created<ClientJson>, ProblemResult>> Create(ClientRequest request, HttpContext context, ClientAdminClient clients)
    {
        var result = await clients.CreateAsync(context.Tenant().Id, request.ToFields());
        return result.Error == ClientChangeError.None
            ? TypedResults.Created($"/api/clients/{result.Client!.ClientId}", ClientJson.From(result.Client, result.Secret))
            : ToProblem(result);
    }

    private static async Task<Results<Ok<ClientJson>, ProblemResult>> Get(string clientId, HttpContext context, ClientAdminClient clients) =>
        ClientVocabulary.IsClientId(clientId) && await clients.FindAsync(context.Tenant().Id, clientId) is { } client
            ? TypedResults.Ok(ClientJson.From(client))
            : Problems.NotFound(NotFound);

    private static async Task<Results<Ok<ClientJson>, ProblemResult>> Update(string clientId, ClientRequest request, HttpContext context, ClientAdminClient clients)
    {
        if (!ClientVocabulary.IsClientId(clientId)) return Problems.NotFound(NotFound);
        if (ConsoleClient.Is(clientId)) return Problems.Conflict(ConsoleClient.Unchangeable);
        var result = await clients.UpdateAsync(context.Tenant().Id, clientId, request.ToFields());
        return result.Error == ClientChangeError.None ? TypedResults.Ok(ClientJson.From(result.Client!, result.Secret)) : ToProblem(result);
    }

    private static async Task<Results<NoContent, ProblemResult>> Delete(string clientId, HttpContext context, ClientAdminClient clients) =>
        ConsoleClient.Is(clientId) ? Problems.Conflict(ConsoleClient.Unchangeable)
        : ClientVocabulary.IsClientId(clientId) && await clients.DeleteAsync(context.Tenant().Id, clientId)
            ? TypedResults.NoContent()
            : Problems.NotFound(NotFound);

    private static async Task<Results<Created<ClientSecretJson>, ProblemResult>> AddSecret(string clientId, HttpContext context, ClientAdminClient clients)
    {
        if (!ClientVocabulary.IsClientId(clientId)) return Problems.NotFound(NotFound);
        if (ConsoleClient.Is(clientId)) return Problems.Conflict(ConsoleClient.Unchangeable);
        var result = await clients.AddSecretAsync(context.Tenant().Id, clientId);
        if (result.Error != ClientChangeError.None) return ToProblem(result);
        var secret = result.SecretInfo!;
        return TypedResults.Created($"/api/clients/{clientId}/secrets/{secret.Id}", new ClientSecretJson(secret.Id, result.Secret!, ApiDates.Iso(secret.CreatedAt)));
    }

    private static async Task<Results<NoContent, ProblemResult>> RemoveSecret(string clientId, string secretId, HttpContext context, ClientAdminClient clients) =>
        ConsoleClient.Is(clientId) ? Problems.Conflict(ConsoleClient.Unchangeable)
        : ClientVocabulary.IsClientId(clientId) && secretId.Length <= 64 && await clients.RemoveSecretAsync(context.Tenant().Id, clientId, secretId)
            ? TypedResults.NoContent()
            : Problems.NotFound("Secret not found");

    private static ProblemResult ToProblem(ClientChangeResult result) => result.Error switch
    {
        ClientChangeError.NotFound => Problems.NotFound(result.Detail ?? NotFound),
        ClientChangeError.Exists => Problems.Conflict(result.Detail ?? "Client already exists"),
        _ => Problems.BadRequest(result.Detail ?? "Invalid client"),
    };
}
