using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ItemPathOrleans.UnitTests.Api.SignIn;

/// <summary>A page rendered as the service renders it (static HTML), then parsed as a browser parses it.</summary>
internal static class PageRendering
{
    /// <summary>Quotes and angle brackets that would break out of an attribute or start a script if not escaped.</summary>
    public const string Hostile = "\"><script>alert('x')</script><b a='";

    public static async Task<string> HtmlAsync<TPage>(IDictionary<string, object?> parameters) where TPage : IComponent
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TPage>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    public static async Task<IDocument> DocumentAsync<TPage>(IDictionary<string, object?> parameters) where TPage : IComponent =>
        new HtmlParser().ParseDocument(await HtmlAsync<TPage>(parameters));

    public static IReadOnlyList<KeyValuePair<string, string>> Fields(params (string Name, string Value)[] fields) =>
        fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).ToList();

    /// <summary>The hidden inputs of a form, in order, as the browser would post them.</summary>
    public static List<(string? Name, string? Value)> HiddenInputs(IElement form) =>
        form.QuerySelectorAll("input[type=hidden]").Select(i => (i.GetAttribute("name"), i.GetAttribute("value"))).ToList();

    /// <summary>What a screen reader names a control: the text of the label pointing at it.</summary>
    public static string? LabelOf(IDocument document, IElement control) =>
        document.QuerySelectorAll("label").FirstOrDefault(l => l.GetAttribute("for") == control.Id)?.TextContent.Trim();
}
