using System.ComponentModel;
using System.Globalization;

namespace ItemPathOrleans.Api.Gateway;

/// <summary>
/// One route of the gateway (<c>Gateway:Routes</c>): its path template and the scopes a token
/// must carry to pass it (none by default). An entry of the list may be the path alone, as a
/// string, the way the option has always been written, or an object <c>{"Path", "Scopes"}</c>.
/// </summary>
[TypeConverter(typeof(GatewayRouteConverter))]
public sealed class GatewayRoute
{
    /// <summary>A route template under <c>/api/</c>, e.g. <c>/api/stations/{**rest}</c>.</summary>
    public string Path { get; set; } = "";

    /// <summary>Scopes the bearer's token must all carry; a token without them gets 403 <c>insufficient_scope</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    public override string ToString() => Path;

    /// <summary>
    /// The routes of a <c>Gateway:Routes</c> section, each in either form. Read by hand because
    /// a host's configuration may give the object form's section an empty value of its own, which
    /// the binder would take for the string form.
    /// </summary>
    public static List<GatewayRoute> ReadAll(IConfigurationSection routes) => routes.GetChildren()
        .OrderBy(child => int.TryParse(child.Key, out var index) ? index : int.MaxValue)
        .Select(child => child.GetChildren().Any()
            ? new GatewayRoute { Path = child["Path"] ?? "", Scopes = child.GetSection("Scopes").GetChildren().Select(s => s.Value ?? "").ToList() }
            : new GatewayRoute { Path = child.Value ?? "" })
        .ToList();
}

/// <summary>Binds a route written as a plain string (the path) from configuration.</summary>
public sealed class GatewayRouteConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string path ? new GatewayRoute { Path = path } : base.ConvertFrom(context, culture, value);
}
