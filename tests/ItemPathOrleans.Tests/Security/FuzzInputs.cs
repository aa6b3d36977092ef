using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ItemPathOrleans.Tests.Security;

public enum FieldKind
{
    String,
    Bool,
    Int,
}

/// <summary>A body the fuzzer sends, with a label saying how it was made.</summary>
public sealed record FuzzBody(string Label, byte[] Bytes)
{
    public override string ToString() => $"{Label} ({Bytes.Length} bytes): {FuzzRequest.Show(Bytes)}";
}

/// <summary>One hostile request; printed (shortened) when a property fails.</summary>
public sealed record FuzzRequest(string Method, string Path, string? Authorization, string? ContentType, FuzzBody? Body, bool Chunked)
{
    public override string ToString() =>
        $"{Method} {Path} auth=[{Shorten(Authorization)}] content-type=[{Shorten(ContentType)}] chunked={Chunked} body={(Body is null ? "none" : Body.ToString())}";

    public static string Show(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes.Take(300)) text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        if (bytes.Length > 300) text.Append("...");
        return text.ToString();
    }

    private static string Shorten(string? s) =>
        s is null ? "none" : s.Length <= 160 ? Escape(s) : Escape(s[..160]) + $"...({s.Length} chars)";

    private static string Escape(string s) => string.Concat(s.Select(c => c is >= ' ' and < (char)0x7F ? c.ToString() : $"\\u{(int)c:X4}"));
}

/// <summary>Strings that break naive code: NUL, lone surrogates, bidi and zero-width marks, combining runs, emoji, huge ones.</summary>
public static class FuzzText
{
    public static readonly string[] Fragments =
    [
        "\u0000", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDC00\uD800", "\u200E", "\u200F", "\u202A", "\u202E", "\u2066", "\u2069",
        "\u200B", "\u200C", "\u200D", "\uFEFF", "\u2060", "\u00AD", "e\u0301", "\u0301\u0302\u0303\u0304\u0305\u0306", "Z\u0351\u0352\u0357\u035B\u0360",
        "\U0001F600", "\U0001F468\u200D\U0001F469\u200D\U0001F467", "\U0001F3F3\uFE0F\u200D\U0001F308", "\uDBFF\uDFFF", "\uFFFF", "\uFFFE", "\uFFFD",
        "\uFDFA", "\uFB2C", "\u0130", "\u0131", "\u00DF", "\u1E9E", "\uFF38\uFF59\uFF5A", "\u2126", "\u212A", "\u0661\u0662\u0663",
        "\u05E9\u05DC\u05D5\u05DD", "\u0645\u0631\u062D\u0628\u0627", "\u4E2D\u6587", "\u0007", "\u001B[31m", "\r\n", "\n", "\t", "\u2028", "\u2029", "\u0085",
        "\"", "\\", "'", "`", "' OR 1=1 --", "\"; DROP TABLE OrleansStorage; --", "../../etc/passwd", "..\\..\\boot.ini", "%00", "%2e%2e%2f",
        "%s%s%n", "{0}", "{Password}", "{{", "}}", "${jndi:ldap://127.0.0.1/x}", "<script>alert(1)</script>", "\u00A0", " ", "null", "true", "0",
        "x", "user", "-", "@", "a@b", "@@",
    ];

    private static readonly Gen<string> AnyChar = Gen.Choose(0, 0xFFFF).Select(i => ((char)i).ToString());
    private static readonly Gen<string> Ascii = Gen.Choose(0x20, 0x7E).Select(i => ((char)i).ToString());

    /// <summary>A string of fragments and random UTF-16 code units (lone surrogates included), growing with the size.</summary>
    public static Gen<string> Odd { get; } = Gen.Frequency(
        (12, Gen.Frequency((4, Gen.Elements(Fragments)), (2, AnyChar), (3, Ascii)).ListOf().Select(string.Concat)),
        (1, Huge()));

    /// <summary>Up to and past the 16 KiB body limit, and past Kestrel's 1 MiB in rare cases.</summary>
    public static Gen<string> Huge() =>
        from length in Gen.Elements(4_000, 15_000, 16_300, 16_384, 16_500, 20_000, 70_000)
        from fragment in Gen.Elements("a", "\u00E9", "\U0001F600", "e\u0301", "\u200B", "\\", "\"")
        select Repeat(fragment, length);

    public static string Repeat(string fragment, int length)
    {
        var text = new StringBuilder(length + fragment.Length);
        while (text.Length < length) text.Append(fragment);
        return text.ToString();
    }
}

/// <summary>JSON text, valid and not, written by hand so that lone surrogates and other oddities reach the server.</summary>
public static class FuzzJson
{
    /// <summary>A JSON string literal; lone surrogates and control characters always escaped, the rest escaped or raw.</summary>
    public static string Quote(string s, bool escapeNonAscii)
    {
        var text = new StringBuilder(s.Length + 2).Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"') text.Append("\\\"");
            else if (c == '\\') text.Append("\\\\");
            else if (c < 0x20) text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) && !escapeNonAscii)
            {
                text.Append(c).Append(s[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c) || (escapeNonAscii && c > 0x7E)) text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else text.Append(c);
        }
        return text.Append('"').ToString();
    }

    public static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "3", "7", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "1e-400", "1.5", "1E+2", "1e2", "0.0", "-0.0", "5e-324",
        "1.7976931348623157e308", "123456789012345678901234567890123456789",
    ];

    public static Gen<string> String { get; } = Gen.Zip(FuzzText.Odd, Gen.Elements(false, true), Quote);

    public static Gen<string> Number { get; } = Gen.Frequency(
        (6, Gen.Elements(Numbers)),
        (3, Gen.Choose(-100_000, 100_000).Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Choose(20, 30_000).Select(n => "9" + new string('9', n))),
        (1, Gen.Choose(20, 30_000).Select(n => "0." + new string('0', n) + "1")));

    public static Gen<string> Scalar { get; } = Gen.Frequency(
        (1, Gen.Elements("null", "true", "false")),
        (2, Number),
        (3, String));

    /// <summary>Any JSON value, nested a few levels.</summary>
    public static Gen<string> Value { get; } = ValueOf(3);

    private static Gen<string> ValueOf(int depth)
    {
        if (depth == 0) return Scalar;
        var inner = ValueOf(depth - 1);
        var array = Gen.Choose(0, 4).SelectMany(n => inner.ListOf(n)).Select(items => "[" + string.Join(",", items) + "]");
        var obj = Gen.Choose(0, 4).SelectMany(n => Gen.Zip(String, inner, (k, v) => k + ":" + v).ListOf(n)).Select(items => "{" + string.Join(",", items) + "}");
        return Gen.Frequency((6, Scalar), (1, array), (1, obj));
    }

    /// <summary>Arrays or objects nested past the parser's limit (16 here, 64 by default).</summary>
    public static Gen<string> Deep { get; } =
        from depth in Gen.Frequency((3, Gen.Choose(17, 70)), (1, Gen.Choose(70, 2_000)))
        from kind in Gen.Elements("[", "{\"a\":", "[{\"b\":")
        select Nest(kind, depth);

    public static string Nest(string opener, int depth)
    {
        var closer = string.Concat(opener.Reverse().Where(c => c is '[' or '{').Select(c => c == '[' ? ']' : '}'));
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++) text.Append(opener);
        text.Append('1');
        for (var i = 0; i < depth; i++) text.Append(closer);
        return text.ToString();
    }

    /// <summary>A value of the right JSON type for the field (which may still be refused by a rule).</summary>
    public static Gen<string> RightTyped(FieldKind kind) => kind switch
    {
        FieldKind.String => String,
        FieldKind.Bool => Gen.Elements("true", "false"),
        _ => Gen.Frequency((3, Gen.Choose(-1_000, 100_000)), (1, Gen.Elements(int.MinValue, int.MaxValue, 0))).Select(i => i.ToString(CultureInfo.InvariantCulture)),
    };

    /// <summary>A value that is not null and not of the field's type: the field must be refused.</summary>
    public static Gen<string> WrongTyped(FieldKind kind)
    {
        var containers = Gen.Frequency((3, Value.Where(v => v.StartsWith('[') || v.StartsWith('{'))), (1, Gen.Elements("[]", "{}", "[null]", "{\"\":\"\"}")), (1, Deep));
        return kind switch
        {
            FieldKind.String => Gen.Frequency((2, Number), (1, Gen.Elements("true", "false")), (2, containers)),
            FieldKind.Bool => Gen.Frequency((2, String), (2, Number), (1, Gen.Elements("\"true\"", "0", "1")), (2, containers)),
            _ => Gen.Frequency((2, String), (1, Gen.Elements("true", "false", "1.5", "2147483648", "-2147483649", "1e400", "1e2", "\"5\"", "-0.5")), (2, containers)),
        };
    }

    public static string Object(IEnumerable<(string Key, string Value)> members) =>
        "{" + string.Join(",", members.Select(m => m.Key + ":" + m.Value)) + "}";
}

/// <summary>Request bodies that an endpoint must refuse, or, for login, anything at all.</summary>
public static class FuzzBodies
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static FuzzBody Utf8(string label, string text) => new(label, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Bodies for an endpoint with these fields. When <paramref name="mustBeRefused"/> every body
    /// is malformed, oversized or has a field of the wrong type, so a 2xx would be a bug.
    /// </summary>
    public static Gen<FuzzBody> For((string Name, FieldKind Kind)[] fields, bool mustBeRefused, bool blankAllowed = true)
    {
        var known = Gen.Elements(fields);
        var member = known.SelectMany(f => Gen.Frequency((3, FuzzJson.RightTyped(f.Kind)), (2, FuzzJson.Value)).Select(v => (Key: Quote(f.Name), Value: v)));
        var unknown = Gen.Zip(FuzzJson.String, FuzzJson.Value, (k, v) => (Key: k, Value: v));
        var members = Gen.Choose(0, 6).SelectMany(n => Gen.Frequency((4, member), (1, unknown)).ListOf(n));

        // An object with a wrong-typed known field at a random place among other members.
        var wrongField = known.SelectMany(f => FuzzJson.WrongTyped(f.Kind).Select(v => (Field: f.Name, Member: (Key: Quote(f.Name), Value: v))));
        var withWrongField =
            from wrong in wrongField
            from others in members
            from at in Gen.Choose(0, 12)
            let rest = others.Where(m => m.Key != wrong.Member.Key).ToList()
            select (Label: $"wrong type for {wrong.Field}", Text: FuzzJson.Object(rest.Take(Math.Min(at, rest.Count)).Append(wrong.Member).Concat(rest.Skip(Math.Min(at, rest.Count)))));
        var anyObject = members.Select(m => (Label: "object", Text: FuzzJson.Object(m)));
        var objects = mustBeRefused ? withWrongField : Gen.Frequency((1, withWrongField), (2, anyObject));

        var kinds = new List<(int, Gen<FuzzBody>)>
        {
            (5, objects.Select(o => Utf8(o.Label, o.Text))),
            (1, Gen.OneOf(FuzzJson.Scalar, FuzzJson.Value.Where(v => v.StartsWith('[')), Gen.Elements("[]", "[{}]", "\"{}\"")).Select(t => Utf8("not an object", t))),
            (2, objects.SelectMany(o => Truncate(o.Text))),
            (1, FuzzJson.Deep.SelectMany(deep => known.Select(f => Utf8($"deep value of {f.Name}", "{" + Quote(f.Name) + ":" + deep + "}")))),
            (1, FuzzJson.Deep.Select(deep => Utf8("deep root", deep))),
            (1, Oversized(known)),
            (1, Gen.Zip(known, Gen.Elements(InvalidUtf8), (f, bad) => new FuzzBody($"invalid UTF-8 in {f.Name}",
                [.. Encoding.UTF8.GetBytes("{" + Quote(f.Name) + ":\""), .. bad, .. "\"}"u8.ToArray()]))),
            (2, Gen.Zip(known, Gen.Elements(Syntax), (f, template) => Utf8("bad syntax", template.Replace("F", f.Name, StringComparison.Ordinal)))),
            (1, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Select(bytes => new FuzzBody("random bytes", [0xFF, .. bytes]))),
        };
        if (blankAllowed) kinds.Add((1, Gen.Elements("", " ", "\r\n\t ", "\n").Select(t => Utf8("blank", t))));
        if (!mustBeRefused) kinds.Add((1, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Select(bytes => new FuzzBody("random bytes", bytes))));

        var body = Gen.Frequency(kinds.ToArray());
        return Gen.Zip(body, Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true))),
            (b, bom) => bom ? new FuzzBody(b.Label + " after a BOM", [.. Bom, .. b.Bytes]) : b);
    }

    private static string Quote(string name) => "\"" + name + "\"";

    /// <summary>Cut inside the text (bytes, so a multi-byte character may be split): never a whole value.</summary>
    private static Gen<FuzzBody> Truncate(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Gen.Choose(1, bytes.Length - 1).Select(n => new FuzzBody("truncated", bytes[..n]));
    }

    private static Gen<FuzzBody> Oversized(Gen<(string Name, FieldKind Kind)> known) =>
        from f in known
        from length in Gen.Elements(16_400, 17_000, 40_000, 300_000, 1_100_000)
        from fragment in Gen.Elements("a", "\u00E9", "\U0001F600", "\\u0000")
        select Utf8($"oversized {f.Name}", "{" + Quote(f.Name) + ":\"" + FuzzText.Repeat(fragment, length) + "\"}");

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0xFE, 0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0x80],
    ];

    private static readonly string[] Syntax =
    [
        "{\"F\": \"x\",}", "{'F': 'x'}", "{F: \"x\"}", "{\"F\": NaN}", "{\"F\": Infinity}", "{\"F\": -Infinity}", "{\"F\": \"x\"} {\"F\": \"y\"}",
        "/* c */ {\"F\": \"x\"}", "{\"F\": \"x\"} // c", "{\"F\" \"x\"}", "{\"F\": 01}", "{\"F\": .5}", "{\"F\": +1}", "{\"F\": 0x10}",
        "{\"F\": \"\\x41\"}", "{\"F\": \"\\u12\"}", "{\"F\": \"a\tb\"}", "{\"F\": \"a\nb\"}", "{\"F\": tru}", "{\"F\": nul}", "{\"F\":}", "{,\"F\": 1}",
        "{\"F\": [1,]}", "{\"F\": [1 2]}", "{\"F\": \"x\"}}", "{{\"F\": \"x\"}", "{\"F\": \"x\"]", "[\"F\": \"x\"}", "{\"F\": \"\\uD800\\\"}",
    ];
}

/// <summary>Content types a client may send: right, odd and wrong.</summary>
public static class FuzzContentTypes
{
    public static Gen<string?> Any { get; } = Gen.Frequency(
        (6, Gen.Constant<string?>("application/json")),
        (1, Gen.Constant<string?>(null)),
        (3, Gen.Elements<string?>(
            "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=latin1", "APPLICATION/JSON",
            "application/problem+json", "application/merge-patch+json", "text/plain", "text/plain; charset=utf-8", "text/html",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=----x", "multipart/form-data", "application/xml",
            "application/octet-stream", "*/*", "", " ", "json", "application/", "/json", "a/b/c;;;=", "application/json;;charset=",
            "application/json; charset=\"utf-8", "application/json; boundary=" + new string('x', 4_000), "\u00E9/\u00E9")));
}

/// <summary>Bearer tokens an attacker might send: random bytes, random segments, JWT-looking ones with hostile headers.</summary>
public static class FuzzTokens
{
    public static readonly string[] Kids =
    [
        "k1", "k2", "k0", "K1", "k1 ", " k1", "k-1", "../k1", "../../../../etc/passwd", "..\\k1", "k1/../k1", "/k1", "k1' OR 1=1 --",
        "k1\" OR \"1\"=\"1", "k1; DROP TABLE OrleansStorage; --", "%2e%2e%2fk1", "k1%00", "\u0000", "k1\u0000", "", " ", "*", "$ne",
        "{{kid}}", "${jndi:ldap://127.0.0.1/x}", "default|k1", "other|k1", "k\u0131", "\uFF4B1",
    ];

    private static readonly string[] Algs = ["\"none\"", "\"None\"", "\"NONE\"", "\"HS256\"", "\"hs256\"", "\"HS384\"", "\"HS512\"", "\"RS256\"", "\"ES256\"", "\"PS256\"", "\"EdDSA\"", "\"\"", "null", "1", "[\"HS256\"]", "{}"];
    private static readonly string[] Typs = ["\"JWT\"", "\"jwt\"", "\"at+jwt\"", "\"JWS\"", "\"\"", "null", "{}", "[\"JWT\"]"];

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    private static Gen<byte[]> Bytes(int max) => Gen.Choose(0, max).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n));

    private static Gen<string> KidValue { get; } = Gen.Frequency(
        (6, Gen.Elements(Kids).Select(k => FuzzJson.Quote(k, false))),
        (2, FuzzJson.String),
        (1, Gen.Elements("1", "null", "[\"k1\"]", "{\"$ne\": null}", "true")),
        (1, Gen.Elements(2_000, 7_000, 9_000).Select(n => FuzzJson.Quote(FuzzText.Repeat("../", n), false))));

    public static Gen<string> Header { get; } = Gen.Frequency(
        (8, from alg in Gen.Elements(Algs)
            from typ in Gen.Elements(Typs)
            from kid in KidValue
            from extras in Gen.SubListOf(new[]
            {
                "\"jku\":\"http://127.0.0.1:9/jwks.json\"", "\"x5u\":\"http://127.0.0.1:9/cert\"",
                "\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", "\"crit\":[\"exp\"]", "\"zip\":\"DEF\"",
                "\"enc\":\"A256GCM\"", "\"b64\":false", "\"cty\":\"JWT\"", "\"x5c\":[\"AAAA\"]",
            })
            from keep in Gen.SubListOf(new[] { "alg", "typ", "kid" })
            select "{" + string.Join(",", keep.Select(k => k switch { "alg" => "\"alg\":" + alg, "typ" => "\"typ\":" + typ, _ => "\"kid\":" + kid }).Concat(extras)) + "}"),
        (1, FuzzJson.Value),
        (1, FuzzText.Odd));

    public static Gen<string> Payload(long now) => Gen.Frequency(
        (6, from type in Gen.Elements("\"access\"", "\"refresh\"", "\"application\"", "1", "null", "\"\"")
            from tid in Gen.Elements("\"default\"", "\"other\"", "\"\"", "\"DEFAULT\"", "null", "[\"default\"]")
            from uid in Gen.Elements("\"1\"", "\"2\"", "\"0\"", "\"-1\"", "\"2147483648\"", "\"abc\"", "1", "[]", "\"99999\"")
            from sid in FuzzJson.String
            from time in Gen.Elements(
                $"{now}", $"{now + 3600}", $"{now - 3600}", "0", "-1", "9999999999999", "-62135596801", "253402300800", "1e300", "\"now\"", "null", "[]",
                "9223372036854775807", "-9223372036854775808")
            from exp in Gen.Elements($"{now + 900}", $"{now - 900}", "9999999999999", "1e300", "\"never\"", "null", "-1")
            from iss in Gen.Elements("\"http://127.0.0.1:5080/default\"", "\"http://evil/default\"", "null", "1")
            from aud in Gen.Elements("\"itempath-api\"", "[\"itempath-api\"]", "\"other\"", "[]", "null")
            from keep in Gen.SubListOf(new[] { "fresh", "iat", "jti", "type", "identity", "nbf", "exp", "tid", "uid", "sid", "iss", "aud" })
            select "{" + string.Join(",", keep.Select(k => $"\"{k}\":" + k switch
            {
                "fresh" => "false", "iat" => time, "jti" => sid, "type" => type, "identity" => "\"admin\"", "nbf" => time, "exp" => exp,
                "tid" => tid, "uid" => uid, "sid" => sid, "iss" => iss, _ => aud,
            })) + "}"),
        (1, FuzzJson.Value),
        (1, FuzzText.Odd));

    private static Gen<string> Signature { get; } = Gen.Frequency(
        (2, Gen.Constant("")),
        (4, Bytes(64).Select(B64)),
        (2, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(32).Select(B64)),
        (1, Gen.Elements("!!!", "=", "AAAA====", "a.b", "%00", "\u00E9")));

    /// <summary>A token string (the part after the scheme).</summary>
    public static Gen<string> Token(long now) => Gen.Frequency(
        (2, Gen.Choose(0x21, 0x7E).Select(i => (char)i).ListOf().Select(cs => new string([.. cs]))),
        (2, Bytes(200).Select(B64)),
        (2, from n in Gen.Choose(1, 6) from parts in Bytes(60).Select(B64).ListOf(n) select string.Join(".", parts)),
        (8, from header in Header
            from payload in Payload(now)
            from signature in Signature
            from raw in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
            select raw ? $"{header}.{payload}.{signature}" : $"{B64(header)}.{B64(payload)}.{signature}"),
        (1, from header in Header from payload in Payload(now) select $"{B64(header)}.{B64(payload)}"),
        (1, from header in Header from payload in Payload(now) select $"{B64(header)}.{B64(payload)}.{B64(RandomNumberGenerator.GetBytes(32))}.{B64(payload)}.{B64(header)}"),
        (1, Gen.Elements(8_000, 8_180, 8_192, 8_300, 20_000).Select(n => FuzzText.Repeat("eyJhbGciOiJIUzI1NiJ9.", n)[..n])));

    /// <summary>A whole Authorization header value, or none.</summary>
    public static Gen<string?> Authorization(long now) => Gen.Frequency(
        (1, Gen.Constant<string?>(null)),
        (1, Gen.Elements<string?>("", "Bearer", "Bearer ", "Bearer  ", "Basic YWRtaW46YWRtaW4=", "Bearer null", "Bearer undefined", "Bearer .", "Bearer ..", "Negotiate x")),
        (12, from scheme in Gen.Frequency((8, Gen.Constant("Bearer ")), (1, Gen.Elements("bearer ", "BEARER ", "Bearer  ", "Bearer\t", "Token ", "JWT ", "Bearer Bearer ")))
             from token in Token(now)
             select (string?)(scheme + token)));
}
