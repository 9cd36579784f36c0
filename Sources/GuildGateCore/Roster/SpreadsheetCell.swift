import Foundation

/// A cell of a CSV file that people open in a spreadsheet: written with RFC 4180 quoting, and guarded
/// against formula injection (OWASP "CSV Injection"): text a spreadsheet would run as a formula, because it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return, is written with a leading `'`, which the
/// spreadsheet shows as text. Reading the file back removes that `'` again, so an export imports unchanged.
public enum SpreadsheetCell {
    private static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// The field as written to the file: protected, then quoted when it must be.
    public static func field(_ text: String) -> String {
        quoted(protect(text))
    }

    /// `text` with a leading `'` when a spreadsheet would take it for a formula.
    public static func protect(_ text: String) -> String {
        guard let first = text.first, formulaStarts.contains(first) else { return text }
        return "'" + text
    }

    /// What `protect` wrote, as it was before.
    public static func unprotect(_ text: String) -> String {
        guard text.first == "'", let second = text.dropFirst().first, formulaStarts.contains(second) else { return text }
        return String(text.dropFirst())
    }

    /// RFC 4180: a field holding a comma, a double quote, CR or LF (or starting or ending with a space,
    /// which some readers trim) is enclosed in double quotes, its quotes doubled.
    public static func quoted(_ text: String) -> String {
        let needsQuotes =
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
