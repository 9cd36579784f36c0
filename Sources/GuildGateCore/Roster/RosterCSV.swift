import Foundation
import Store

/// A roster exported from a spreadsheet: a header row naming `name`, `rank` and `discord_id` (any order,
/// any case, other columns ignored), then one staff member per row. RFC 4180 quoting. An `active` column,
/// as `export` writes, may mark rows inactive (`false`, `no`, `0`); without it every row is active.
public enum RosterCSV {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Every problem of a file that cannot be imported.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let problems: [Problem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// The columns `export` writes, in order.
    public static let exportColumns = ["name", "rank", "discord_id", "active"]

    /// Every row, or every problem found (the import is all or nothing).
    public static func parse(_ text: String) throws(Invalid) -> [StaffImportRow] {
        let records: [(line: Int, fields: [String])]
        // A spreadsheet may start its UTF-8 export with a byte order mark.
        switch splitRecords(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text) {
        case .success(let parsed): records = parsed
        case .failure(let problem): throw Invalid(problems: [problem])
        }
        guard let header = records.first else { throw Invalid(problems: [Problem(line: 1, message: "the file is empty")]) }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var positions: [String: Int] = [:]
        for required in ["name", "rank", "discord_id"] {
            guard let position = columns.firstIndex(of: required) else {
                throw Invalid(problems: [
                    Problem(
                        line: header.line,
                        message: "the header has no \(required) column (found: \(columns.joined(separator: ", ")))")
                ])
            }
            positions[required] = position
        }
        positions["active"] = columns.firstIndex(of: "active")
        var rows: [StaffImportRow] = []
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        for record in records.dropFirst() where !record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            func field(_ name: String) -> String {
                guard let position = positions[name], position < record.fields.count else { return "" }
                return SpreadsheetCell.unprotect(record.fields[position].trimmingCharacters(in: .whitespaces))
            }
            let active = activeFlag(field("active"))
            if active == nil {
                problems.append(Problem(line: record.line, message: "active '\(field("active").prefix(20))' is not true or false"))
            }
            let details: StaffDetails
            do {
                details = try StaffDetails.validated(name: field("name"), rank: field("rank"), discordID: field("discord_id"))
            } catch {
                problems += error.problems.map { Problem(line: record.line, message: $0.description) }
                continue
            }
            if let first = seen[details.discordID] {
                problems.append(Problem(line: record.line, message: "discord_id \(details.discordID) is already on line \(first)"))
            } else if let active {
                seen[details.discordID] = record.line
                rows.append(
                    StaffImportRow(line: record.line, name: details.name, rank: details.rank, discordID: details.discordID, active: active))
            }
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return rows
    }

    /// The roster as a file `parse` reads back: the `exportColumns` header, CRLF line ends, every cell quoted
    /// as RFC 4180 says and guarded against formula injection (`SpreadsheetCell`).
    public static func export(_ members: [StaffMember]) -> String {
        var text = exportColumns.joined(separator: ",") + "\r\n"
        for member in members {
            text +=
                [member.name, member.rank, member.discordID, member.active ? "true" : "false"].map(SpreadsheetCell.field)
                .joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// An `active` cell: empty (or no column) is active.
    private static func activeFlag(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "", "true", "yes", "1", "y": return true
        case "false", "no", "0", "n": return false
        default: return nil
        }
    }

    /// Splits into records of fields, with the line each record starts on.
    static func splitRecords(_ text: String) -> Result<[(line: Int, fields: [String])], Problem> {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var characters = text.replacingOccurrences(of: "\r\n", with: "\n").makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return characters.next()
        }
        while let character = next() {
            if inQuotes {
                if character == "\"" {
                    let following = next()
                    if following == "\"" { field.append("\"") } else { inQuotes = false; pending = following }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\n":
                fields.append(field)
                records.append((recordLine, fields))
                fields = []
                field = ""
                line += 1
                recordLine = line
            default: field.append(character)
            }
        }
        if inQuotes { return .failure(Problem(line: recordLine, message: "a quoted field is not closed")) }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        return .success(records)
    }
}
