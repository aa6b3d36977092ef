namespace ItemPathOrleans.Api.ProblemAnswers;

public static class ProblemMetadata
{
    /// <summary>Documents the problem answers an endpoint (or a group's endpoints) can give, one status each.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder endpoint, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses) endpoint.ProducesProblem(status);
        return endpoint;
    }
}
