using System.Net;
using System.Text.RegularExpressions;

namespace ItemPathOrleans.Tests.OpenId;

/// <summary>
/// A browser over in-process sites: each request goes to the site its authority names, cookies
/// are kept per host as a browser keeps them, redirects are followed, and a page that is a form
/// (the form post response mode) can be submitted as a user would.
/// </summary>
public sealed partial class TwoSiteBrowser(IReadOnlyDictionary<string, HttpMessageHandler> sites) : IDisposable
{
    private readonly CookieContainer _cookies = new();
    private readonly Dictionary<string, HttpMessageInvoker> _invokers = sites.ToDictionary(s => s.Key, s => new HttpMessageInvoker(s.Value, disposeHandler: false));

    /// <summary>Every URL visited, in order.</summary>
    public List<Uri> Visited { get; } = [];

    public Task<HttpResponseMessage> GetAsync(string url) => NavigateAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>Submits the page's first form (action, hidden fields and <paramref name="fields"/>).</summary>
    public async Task<HttpResponseMessage> SubmitAsync(HttpResponseMessage page, Dictionary<string, string>? fields = null)
    {
        var html = await page.Content.ReadAsStringAsync();
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups["action"].Value);
        var form = CodeFlow.HiddenFields(html);
        foreach (var (name, value) in fields ?? []) form[name] = value;
        return await NavigateAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(page.RequestMessage!.RequestUri!, action)) { Content = new FormUrlEncodedContent(form) });
    }

    private async Task<HttpResponseMessage> NavigateAsync(HttpRequestMessage request)
    {
        for (var hops = 0; hops < 20; hops++)
        {
            var response = await SendAsync(request);
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is null) return response;
            request = new HttpRequestMessage(HttpMethod.Get, new Uri(request.RequestUri!, response.Headers.Location));
        }
        throw new InvalidOperationException("Too many redirects");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        Visited.Add(uri);
        var cookies = _cookies.GetCookieHeader(uri);
        if (cookies.Length > 0) request.Headers.Add("Cookie", cookies);
        var response = await _invokers[uri.Authority].SendAsync(request, CancellationToken.None);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            foreach (var cookie in setCookies) _cookies.SetCookies(uri, cookie);
        response.RequestMessage = request;
        return response;
    }

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values) invoker.Dispose();
    }

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormAction();
}
