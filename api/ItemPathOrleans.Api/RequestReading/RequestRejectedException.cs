namespace ItemPathOrleans.Api.RequestReading;

/// <summary>
/// A request body refused while it was bound to its record: <see cref="Answer"/> is the
/// contract's answer (a 400 naming the field, a 413), written by <c>ErrorBoundary</c>.
/// </summary>
public sealed class RequestRejectedException(IResult answer) : Exception("The request body was refused.")
{
    public IResult Answer => answer;
}
