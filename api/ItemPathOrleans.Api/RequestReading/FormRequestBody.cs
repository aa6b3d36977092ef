using System.Reflection;
using ItemPathOrleans.Api.ProblemAnswers;
using Microsoft.AspNetCore.Http.Metadata;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// An <c>application/x-www-form-urlencoded</c> request (the OAuth endpoints') as one record: what
/// the handler receives and what the API reference documents. Bound on top of
/// <see cref="FormBody"/> (16 KiB, UTF-8, RFC 6749 §3.1's empty and repeated parameters); a
/// refusal is the RFC 6749 §5.2 <c>invalid_request</c>, thrown as
/// <see cref="RequestRejectedException"/> before the handler runs.
/// </summary>
public abstract record FormRequestBody<TSelf> : IBindableFromHttpContext<TSelf>, IEndpointParameterMetadataProvider
    where TSelf : FormRequestBody<TSelf>, IFormRequest<TSelf>
{
    public static async ValueTask<TSelf?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var (form, invalid, tooLarge) = await FormBody.ReadAsync(context.Request);
        if (tooLarge is not null) throw new RequestRejectedException(tooLarge);
        if (invalid is not null) throw new RequestRejectedException(OAuthErrors.BadRequest(invalid));
        return TSelf.Read(form!, out var error) ?? throw new RequestRejectedException(OAuthErrors.BadRequest(error!));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata([FormBody.MediaType], typeof(TSelf)));
}
