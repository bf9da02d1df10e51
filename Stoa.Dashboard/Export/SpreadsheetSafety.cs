namespace Stoa.Dashboard.Export;

/// <summary>
/// OWASP's CSV-injection defence: a text cell that a spreadsheet would run as a formula (first
/// character <c>= + - @</c>, tab, carriage return or line feed) gets a leading apostrophe, which
/// spreadsheets show as text and never evaluate.
/// </summary>
public static class SpreadsheetSafety
{
    public static string Neutralise(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' ? "'" + text : text;
}
