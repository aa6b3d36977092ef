using System.Buffers;
using ItemPathOrleans.Api.ProblemAnswers;

namespace ItemPathOrleans.Api.RequestReading;

/// <summary>Reads a request body within the contract's 16 KiB limit, whatever its framing (a chunked body has no Content-Length).</summary>
public static class BoundedBody
{
    public static async Task<(ArrayBufferWriter<byte> Body, ProblemResult? TooLarge)> ReadAsync(HttpRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, request.HttpContext.RequestAborted);
            if (read == 0) return (buffer, null);
            buffer.Advance(read);
            if (buffer.WrittenCount > RequestLimits.MaxBodyBytes)
                return (buffer, new ProblemResult(StatusCodes.Status413PayloadTooLarge, "Request body exceeds the 16 KiB limit"));
        }
    }
}
