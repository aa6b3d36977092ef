using System.Buffers;
using System.Globalization;
using System.Text;

namespace ItemPathOrleans.ClusterNode.Diagnostics;

/// <summary>
/// Text a client chose, made fit for a log line: control, format and separator characters,
/// unpaired surrogates and the backslash itself become <c>\uXXXX</c> escapes, and at most
/// <see cref="MaxLength"/> characters are kept, so no client forges a line, hides text from a
/// reader or bloats the log.
/// </summary>
public static class LogText
{
    public const int MaxLength = 256;

    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (text.Length <= MaxLength && IsSafe(text)) return text;
        var escaped = new StringBuilder(Math.Min(text.Length, MaxLength) + 32);
        var i = 0;
        while (i < text.Length && i < MaxLength)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) == OperationStatus.Done && !IsUnsafe(rune))
            {
                escaped.Append(text, i, consumed);
            }
            else
            {
                // An unpaired surrogate decodes one unit at a time; an unsafe pair is escaped unit by unit.
                for (var k = 0; k < consumed; k++) escaped.Append("\\u").Append(((int)text[i + k]).ToString("x4", CultureInfo.InvariantCulture));
            }
            i += consumed;
        }
        if (i < text.Length) escaped.Append(CultureInfo.InvariantCulture, $"...({text.Length} characters)");
        return escaped.ToString();
    }

    private static bool IsSafe(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != OperationStatus.Done || IsUnsafe(rune)) return false;
            i += consumed;
        }
        return true;
    }

    private static bool IsUnsafe(Rune rune) =>
        rune.Value == '\\' || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
