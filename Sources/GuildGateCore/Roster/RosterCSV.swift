import Store

/// A roster exported from a spreadsheet: a header row naming `name`, `rank` and `discord_id` (any order,
/// any case, other columns ignored), then one staff member per row. RFC 4180 quoting.
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

    /// Every row, or every problem found (the import is all or nothing).
    public static func parse(_ text: String) throws(Invalid) -> [StaffImportRow] {
        let records: [(line: Int, fields: [String])]
        switch splitRecords(text) {
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
        var rows: [StaffImportRow] = []
        var problems: [Problem] = []
        var seen: [String: Int] = [:]
        for record in records.dropFirst() where !record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            func field(_ name: String) -> String {
                let position = positions[name]!
                return position < record.fields.count ? record.fields[position].trimmingCharacters(in: .whitespaces) : ""
            }
            let name = field("name"), rank = field("rank"), discordID = field("discord_id")
            if name.isEmpty {
                problems.append(Problem(line: record.line, message: "name is empty"))
            } else if name.count > 100 {
                problems.append(Problem(line: record.line, message: "name is longer than 100 characters"))
            } else if !isSnowflake(discordID) {
                problems.append(Problem(line: record.line, message: "discord_id '\(discordID)' is not a Discord user id (17-20 digits)"))
            } else if let first = seen[discordID] {
                problems.append(Problem(line: record.line, message: "discord_id \(discordID) is already on line \(first)"))
            } else {
                seen[discordID] = record.line
                rows.append(StaffImportRow(line: record.line, name: name, rank: rank, discordID: discordID))
            }
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return rows
    }

    static func isSnowflake(_ text: String) -> Bool {
        (17...20).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
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

import Foundation
