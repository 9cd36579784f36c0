import Foundation

/// What describes a staff member, checked by the same rules wherever it comes from: the admin panel's
/// form, the JSON admin API, or a row of an imported roster.
public struct StaffDetails: Sendable, Equatable {
    public static let maxNameLength = 100
    public static let maxRankLength = 100

    public let name: String
    /// May be empty: a roster without ranks is a roster.
    public let rank: String
    public let discordID: String

    /// One field that breaks a rule: `field` as the form and the CSV header name it, then what is wrong.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let field: String
        public let message: String
        public var description: String { "\(field) \(message)" }
    }

    /// Every rule some details break.
    public struct Invalid: Error, Sendable, Equatable {
        public let problems: [Problem]
    }

    /// The details with surrounding whitespace trimmed, or every rule they break.
    public static func validated(name: String, rank: String, discordID: String) throws(Invalid) -> StaffDetails {
        let name = name.trimmingCharacters(in: .whitespaces)
        let rank = rank.trimmingCharacters(in: .whitespaces)
        let discordID = discordID.trimmingCharacters(in: .whitespaces)
        var problems: [Problem] = []
        if name.isEmpty {
            problems.append(Problem(field: "name", message: "is empty"))
        } else if let problem = textProblem(name, field: "name", maxLength: maxNameLength) {
            problems.append(problem)
        }
        if let problem = textProblem(rank, field: "rank", maxLength: maxRankLength) { problems.append(problem) }
        if !DiscordID.isValid(discordID) {
            problems.append(Problem(field: "discord_id", message: "'\(discordID.prefix(40))' is not a Discord user id (17-20 digits)"))
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return StaffDetails(name: name, rank: rank, discordID: discordID)
    }

    private static func textProblem(_ text: String, field: String, maxLength: Int) -> Problem? {
        if text.count > maxLength { return Problem(field: field, message: "is longer than \(maxLength) characters") }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return Problem(field: field, message: "contains control characters")
        }
        return nil
    }
}
